import type { Account } from '../domain/types.js';
import { creationChanges, metadataField, type PlanAction, type PlanItem } from './plan-item.js';

/** What a planned create is made of: the account's identity, its line, and its desired state. */
export type PlannedCreate = Pick<Account, 'line' | 'externalId' | 'accountId' | 'displayName' | 'metadata'>;

/**
 * The items of a plan, in order: the engine's one store of them. It hands out plain `PlanItem`s,
 * but keeps each `create` packed into one string: a first sync of a million accounts plans most of
 * them as creates, which as the objects handed out (desired state and `changes`) take about 1 KB
 * each and packed under 200 bytes (docs/performance.md, "How the 1M-row plan came under 512 MB").
 * A create's `changes` are not kept at all: they are derived from its desired state when it is read.
 */
export class PlanItems implements Iterable<PlanItem> {
  /** A plan item, or a packed create (`pack`). */
  private entries: (PlanItem | string)[] = [];
  /** The owned metadata keys, in order: a create is packed only when its metadata keys are these. */
  private readonly keys: readonly string[];
  /** `metadata.<key>` per owned key, made once: a create's changes are checked against them. */
  private readonly fields: ReadonlyMap<string, string>;

  constructor(metadataKeys: readonly string[] = []) {
    this.keys = metadataKeys;
    this.fields = new Map(metadataKeys.map((key) => [key, metadataField(key)]));
  }

  /** A store holding `items`, in their order. */
  static from(items: Iterable<PlanItem>, metadataKeys: readonly string[] = []): PlanItems {
    const store = new PlanItems(metadataKeys);
    for (const item of items) store.append(item);
    return store;
  }

  get count(): number {
    return this.entries.length;
  }

  append(item: PlanItem): void {
    this.entries.push(this.entryOf(item));
  }

  /**
   * Appends the create of `account`, as `append` would append the item `createItem(account)`. The
   * planner's way: a million creates are neither built as objects nor compared with one.
   */
  appendCreate(account: PlannedCreate): void {
    this.entries.push(inKeyOrder(account.metadata, this.keys) ? pack(account, this.keys) : createItem(account));
  }

  /** Replaces the item at `index` (0-based, in the order appended). */
  replaceAt(index: number, item: PlanItem): void {
    if (index < 0 || index >= this.entries.length) throw new RangeError(`no plan item at ${index}`);
    this.entries[index] = this.entryOf(item);
  }

  /** Keeps only the items for which `keep` is true, in order. */
  filter(keep: (item: PlanItem) => boolean): void {
    this.entries = this.entries.filter((entry) => keep(itemOf(entry, this.keys)));
  }

  /** Puts the items in line order; a stable sort (equal lines keep their order), items without a line last. */
  sortByLine(): void {
    const lines = this.entries.map(lineOf);
    const order = lines.map((_line, index) => index);
    order.sort((a, b) => (lines[a] ?? 0) - (lines[b] ?? 0) || a - b);
    const entries = this.entries;
    this.entries = order.map((index) => entries[index] ?? '');
  }

  *[Symbol.iterator](): Iterator<PlanItem> {
    for (const entry of this.entries) yield itemOf(entry, this.keys);
  }

  /**
   * Every item that is not a packed create, with its index in the plan: what a pass over orphans and
   * rejected rows needs (deciding deletes), without unpacking a million creates to skip them.
   */
  *indexedUnpacked(): Iterable<[number, PlanItem]> {
    for (let index = 0; index < this.entries.length; index += 1) {
      const entry = this.entries[index];
      if (entry !== undefined && typeof entry !== 'string') yield [index, entry];
    }
  }

  /** Each item's action, in order, without reading the items (a packed entry is a create). */
  *actions(): Iterable<PlanAction> {
    for (const entry of this.entries) yield typeof entry === 'string' ? 'create' : entry.action;
  }

  /** `JSON.stringify` writes the items as an array. */
  toJSON(): PlanItem[] {
    return [...this];
  }

  private entryOf(item: PlanItem): PlanItem | string {
    const create = plannedCreateOf(item, this.keys, this.fields);
    return create === undefined ? item : pack(create, this.keys);
  }
}

/** The plan item of creating an organization for `account`. */
export function createItem(account: PlannedCreate): PlanItem {
  const { externalId, accountId, line, displayName, metadata } = account;
  const changes = creationChanges(account);
  return {
    action: 'create',
    externalId,
    accountId,
    line,
    orgId: null,
    changes,
    desired: { displayName, metadata },
    error: undefined,
  };
}

/** Whether the keys of `metadata` are some of `keys`, in the same order. */
function inKeyOrder(metadata: Readonly<Record<string, string | null>>, keys: readonly string[]): boolean {
  let at = 0;
  for (const key in metadata) {
    at = keys.indexOf(key, at) + 1;
    if (at === 0) return false;
  }
  return true;
}

/**
 * The account of a create whose only data is its desired state: no organization, no error, a line,
 * the owned keys in their configured order, and exactly the `changes` of `createItem` (compared
 * field by field without building them). `undefined` for any other item: it is kept as it is.
 */
function plannedCreateOf(
  item: PlanItem,
  keys: readonly string[],
  fields: ReadonlyMap<string, string>,
): PlannedCreate | undefined {
  const { desired, changes, externalId, accountId, line } = item;
  if (item.action !== 'create' || !desired || item.orgId !== null || item.error) return undefined;
  if (line === null || externalId === null || accountId === null || !inKeyOrder(desired.metadata, keys))
    return undefined;
  const [name, id] = changes;
  if (name?.field !== 'display_name' || name.from !== null || name.to !== desired.displayName) return undefined;
  if (id?.field !== 'external_id' || id.from !== null || id.to !== externalId) return undefined;
  let at = 2;
  for (const [key, want] of Object.entries(desired.metadata)) {
    if (want === null) continue;
    const change = changes[at++];
    if (change === undefined || change.field !== fields.get(key) || change.from !== null || change.to !== want)
      return undefined;
  }
  if (at !== changes.length) return undefined;
  return { line, externalId, accountId, displayName: desired.displayName, metadata: desired.metadata };
}

/** Separates packed fields; a value holding it (or one of the marks) is packed as JSON instead. */
const SEP = '\u001f';
/** An owned key whose value is null: "remove this key". */
const NULL_MARK = '\u001e';
/** An owned key the source did not carry: not managed in this run (in JSON: the number 0). */
const ABSENT_MARK = '\u001d';
const JSON_MARK = '\u0000';

type Field = string | null | undefined;

/**
 * `line, externalId, accountId, displayName, ...one value per owned key` as one string. Joined
 * strings are compact; `JSON.stringify` output is kept by V8 with spare capacity (twice the size),
 * so JSON is only the fallback for values that contain the separator or a mark.
 */
function pack(account: PlannedCreate, keys: readonly string[]): string {
  const { metadata } = account;
  const fields: Field[] = [
    String(account.line),
    account.externalId,
    account.accountId,
    account.displayName,
    ...keys.map((key) => (Object.hasOwn(metadata, key) ? metadata[key] : undefined)),
  ];
  const plain = fields.every(
    (f) => f == null || (!f.includes(SEP) && f !== NULL_MARK && f !== ABSENT_MARK && !f.startsWith(JSON_MARK)),
  );
  if (plain) return fields.map((f) => (f === undefined ? ABSENT_MARK : (f ?? NULL_MARK))).join(SEP);
  return `${JSON_MARK}${JSON.stringify(fields.map((f) => (f === undefined ? 0 : f)))}`;
}

function unpack(packed: string): Field[] {
  if (packed.startsWith(JSON_MARK))
    return (JSON.parse(packed.slice(1)) as (string | null | 0)[]).map((f) => (f === 0 ? undefined : f));
  return packed.split(SEP).map((f) => (f === NULL_MARK ? null : f === ABSENT_MARK ? undefined : f));
}

function itemOf(entry: PlanItem | string, keys: readonly string[]): PlanItem {
  if (typeof entry !== 'string') return entry;
  const [line, externalId, accountId, displayName, ...values] = unpack(entry);
  const entries: [string, string | null][] = [];
  keys.forEach((key, i) => {
    const value = values[i];
    if (value !== undefined) entries.push([key, value]);
  });
  return createItem({
    line: Number(line),
    externalId: externalId ?? '',
    accountId: accountId ?? '',
    displayName: displayName ?? '',
    metadata: Object.fromEntries(entries),
  });
}

/** An entry's line, for sorting; `Infinity` when it has none. */
function lineOf(entry: PlanItem | string): number {
  if (typeof entry !== 'string') return entry.line ?? Number.POSITIVE_INFINITY;
  return Number(entry.startsWith(JSON_MARK) ? unpack(entry)[0] : entry.slice(0, entry.indexOf(SEP)));
}
