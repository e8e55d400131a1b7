import type { Account } from '../domain/types.js';
import { creationChanges, type PlanItem } from './plan-item.js';
import type { FieldChange, ReportItem } from './types.js';

/** Separates packed fields; a value holding it (or one of the marks) is packed as JSON instead. */
const SEP = '\u001f';
/** An owned key whose value is null: "remove this key". */
const NULL_MARK = '\u001e';
/** An owned key the source did not carry: not managed in this run (in JSON: the number 0). */
const ABSENT_MARK = '\u001d';
const JSON_MARK = '\u0000';

type Field = string | null | undefined;

/**
 * `line, accountId, region, displayName, ...values` as one string. Joined strings are compact;
 * `JSON.stringify` output is kept by V8 with spare capacity (twice the size), so JSON is only the
 * fallback for values that contain the separator or a mark.
 */
function pack(fields: readonly Field[]): string {
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

/**
 * A planned `create`, packed into one string: a first sync of a million accounts plans a million
 * creates, which as plain objects with their `changes` cost about 1 KB each and packed about 200
 * bytes. Fields are decoded on demand. It is its own report item too (a plan's report holds the
 * same objects); `toJSON` gives the report's shape, `toPlanJSON` the saved plan's.
 */
export class PackedCreate implements PlanItem, ReportItem {
  private readonly packed: string;
  readonly externalId: string;
  /** Shared by every item of one plan: the owned metadata keys, in order. */
  private readonly keys: readonly string[];

  constructor(account: Account, keys: readonly string[]) {
    this.externalId = account.externalId;
    this.keys = keys;
    this.packed = pack([
      String(account.line),
      account.accountId,
      account.region,
      account.displayName,
      ...keys.map((k) => (Object.hasOwn(account.metadata, k) ? account.metadata[k] : undefined)),
    ]);
  }

  get action(): 'create' {
    return 'create';
  }
  get orgId(): null {
    return null;
  }
  get error(): null {
    return null;
  }
  get line(): number {
    return this.account().line;
  }
  get accountId(): string {
    return this.account().accountId;
  }
  get desired(): { displayName: string; metadata: Record<string, string | null> } {
    const { displayName, metadata } = this.account();
    return { displayName, metadata };
  }
  get changes(): FieldChange[] {
    return creationChanges(this.account());
  }
  get external_id(): string {
    return this.externalId;
  }
  get account_id(): string {
    return this.accountId;
  }
  get org_id(): null {
    return null;
  }

  /** The account this create was planned from. */
  account(): Account {
    const [line, accountId, region, displayName, ...values] = unpack(this.packed);
    const entries: [string, string | null][] = [];
    this.keys.forEach((key, i) => {
      const value = values[i];
      if (value !== undefined) entries.push([key, value]);
    });
    const metadata = Object.fromEntries(entries);
    return {
      line: Number(line),
      accountId: accountId ?? '',
      region: region ?? '',
      externalId: this.externalId,
      displayName: displayName ?? '',
      metadata,
    };
  }

  /** The report's shape. */
  toJSON(): ReportItem {
    return createReportJson(this.account(), null);
  }

  /** The saved plan's shape. */
  toPlanJSON(): PlanItem {
    const account = this.account();
    return {
      action: 'create',
      externalId: account.externalId,
      accountId: account.accountId,
      line: account.line,
      orgId: null,
      changes: creationChanges(account),
      desired: { displayName: account.displayName, metadata: account.metadata },
    };
  }
}

function createReportJson(account: Account, orgId: string | null): ReportItem {
  return {
    external_id: account.externalId,
    account_id: account.accountId,
    line: account.line,
    action: 'create',
    org_id: orgId,
    changes: creationChanges(account),
    error: null,
  };
}

/** An applied create as the report shows it: the packed plan item plus the new organization's ID. */
export class CreateReportView implements ReportItem {
  private readonly source: PackedCreate;
  readonly org_id: string | null;

  constructor(source: PackedCreate, orgId: string | null) {
    this.source = source;
    this.org_id = orgId;
  }

  get external_id(): string {
    return this.source.externalId;
  }
  get account_id(): string {
    return this.source.accountId;
  }
  get line(): number {
    return this.source.line;
  }
  get action(): 'create' {
    return 'create';
  }
  get changes(): FieldChange[] {
    return this.source.changes;
  }
  get error(): null {
    return null;
  }

  toJSON(): ReportItem {
    return createReportJson(this.source.account(), this.org_id);
  }
}
