import type { Account } from '../domain/types.js';
import { creationChanges, type PlanItem } from './plan-item.js';
import type { FieldChange, ReportItem } from './types.js';

/**
 * A planned `create`, packed into one string. A first sync of a million accounts plans a million
 * creates: as plain objects with their `changes` they cost about 1 KB each, packed about 150 bytes.
 * The fields a reader asks for are decoded on demand; JSON (saved plans, reports) sees a plain item.
 */
export class PackedCreate implements PlanItem {
  /** `[line, accountId, region, displayName, ...metadata values in keys order]` as JSON. */
  private readonly packed: string;
  readonly externalId: string;
  /** Shared by every item of one plan: the owned metadata keys, in order. */
  private readonly keys: readonly string[];

  constructor(account: Account, keys: readonly string[]) {
    this.externalId = account.externalId;
    this.keys = keys;
    this.packed = JSON.stringify([account.line, account.accountId, account.region, account.displayName, ...keys.map((k) => account.metadata[k] ?? null)]);
  }

  get action(): 'create' {
    return 'create';
  }
  get orgId(): null {
    return null;
  }
  get error(): undefined {
    return undefined;
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

  /** The account this create was planned from. */
  account(): Account {
    const [line, accountId, region, displayName, ...values] = JSON.parse(this.packed) as [number, string, string, string, ...(string | null)[]];
    const metadata: Record<string, string | null> = {};
    this.keys.forEach((key, i) => (metadata[key] = values[i] ?? null));
    return { line, accountId, region, externalId: this.externalId, displayName, metadata };
  }

  toJSON(): PlanItem {
    return { action: 'create', externalId: this.externalId, accountId: this.accountId, line: this.line, orgId: null, changes: this.changes, desired: this.desired };
  }
}

/**
 * A create as the report shows it, decoded only when read or serialised, so a plan's report of a
 * million creates stays as small as the plan. `orgId` is set once apply has created it.
 */
export class CreateReportView implements ReportItem {
  private readonly source: PackedCreate;
  readonly org_id: string | null;

  constructor(source: PackedCreate, orgId: string | null = null) {
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
    const account = this.source.account();
    return {
      external_id: account.externalId,
      account_id: account.accountId,
      line: account.line,
      action: 'create',
      org_id: this.org_id,
      changes: creationChanges(account),
      error: null,
    };
  }
}
