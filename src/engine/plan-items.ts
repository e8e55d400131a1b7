import { creationChanges, metadataField, type PlanAction, type PlanItem } from './plan-item.js';

/**
 * The items of a plan, in order: the engine's one store of them. It hands out plain `PlanItem`s,
 * but keeps each `create` packed into one string: a first sync of a million accounts plans most of
 * them as creates, which as objects (desired state and `changes`) cost about 400 bytes each and
 * packed about 130 (docs/performance.md, "How the 1M-row plan came under 512 MB"). A create's
 * `changes` are not kept at all: they are derived from its desired state each time it is read.
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

  /** Each item's action, in order, without reading the items (a packed entry is a create). */
  *actions(): Iterable<PlanAction> {
    for (const entry of this.entries) yield typeof entry === 'string' ? 'create' : entry.action;
  }

  /** `JSON.stringify` writes the items as an array. */
  toJSON(): PlanItem[] {
    return [...this];
  }

  private entryOf(item: PlanItem): PlanItem | string {
    return isPackable(item, this.keys, this.fields) ? pack(item, this.keys) : item;
  }
}

type Desired = NonNullable<PlanItem['desired']>;

/**
 * A create whose only data is its desired state: no organization, no error, a line, the owned keys
 * in their configured order, and exactly the `changes` that creating it makes (`creationChanges`),
 * compared field by field without building them (this runs once per create of a big plan).
 */
function isPackable(
  item: PlanItem,
  keys: readonly string[],
  fields: ReadonlyMap<string, string>,
): item is PlanItem & { desired: Desired } {
  const { desired, changes, externalId } = item;
  if (item.action !== 'create' || !desired || item.orgId !== null || item.error) return false;
  if (item.line === null || externalId === null || item.accountId === null) return false;
  const [name, id] = changes;
  if (name?.field !== 'display_name' || name.from !== null || name.to !== desired.displayName) return false;
  if (id?.field !== 'external_id' || id.from !== null || id.to !== externalId) return false;
  let keyAt = 0;
  let changeAt = 2;
  for (const key in desired.metadata) {
    keyAt = keys.indexOf(key, keyAt) + 1;
    if (keyAt === 0) return false;
    const want = desired.metadata[key];
    if (want === null) continue;
    const change = changes[changeAt++];
    if (change === undefined || change.field !== fields.get(key) || change.from !== null || change.to !== want)
      return false;
  }
  return changeAt === changes.length;
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
function pack(item: PlanItem & { desired: Desired }, keys: readonly string[]): string {
  const { metadata } = item.desired;
  const fields: Field[] = [
    String(item.line),
    item.externalId,
    item.accountId,
    item.desired.displayName,
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
  const [line, externalId = '', accountId = '', displayName = '', ...values] = unpack(entry);
  const entries: [string, string | null][] = [];
  keys.forEach((key, i) => {
    const value = values[i];
    if (value !== undefined) entries.push([key, value]);
  });
  const metadata = Object.fromEntries(entries);
  const desired = { displayName: displayName ?? '', metadata };
  return {
    action: 'create',
    externalId,
    accountId,
    line: Number(line),
    orgId: null,
    changes: creationChanges({ displayName: desired.displayName, externalId: externalId ?? '', metadata }),
    desired,
    error: undefined,
  };
}

/** An entry's line, for sorting; `Infinity` when it has none. */
function lineOf(entry: PlanItem | string): number {
  if (typeof entry !== 'string') return entry.line ?? Number.POSITIVE_INFINITY;
  return Number(entry.startsWith(JSON_MARK) ? unpack(entry)[0] : entry.slice(0, entry.indexOf(SEP)));
}
