import type { Account, RowProblem } from '../domain/types.js';
import { mergedMetadataProblem } from './metadata-check.js';
import { PackedCreate } from './packed-create.js';
import { diffOrganization, isManagedExternalId, type PlanItem } from './plan-item.js';
import type { OrgState, Snapshot } from './snapshot.js';

/** One record after the domain rules: an account, or the reason it was rejected. */
export type ParsedRecord = { ok: true; account: Account } | { ok: false; problem: RowProblem };

/** The result of planning: the items that need attention, and counts. */
export interface Plan {
  items: PlanItem[];
  /** Records read from the source, good and bad. */
  accounts: number;
  unchanged: number;
}

export interface PlannerOptions {
  scope: 'partial' | 'full';
  regions: readonly string[];
  /** The owned metadata keys, in configured order (every account carries each of them). */
  metadataKeys: readonly string[];
  snapshot: Snapshot;
}

/**
 * The pure diff, fed one record at a time so that a million rows never sit in memory: only items
 * that are not `unchanged` are kept, and one number per external ID to find duplicates.
 */
export function createPlanner(options: PlannerOptions) {
  const { snapshot } = options;
  const items: PlanItem[] = [];
  /** External ID -> line of its first record; negative when that record was unchanged. */
  const seen = new Map<string, number>();
  /** External IDs seen more than once -> every line and account ID. */
  const duplicates = new Map<string, { line: number; accountId: string }[]>();
  /** External IDs of rejected records: their organizations are not orphans. */
  const rejectedIds = new Set<string>();
  let accounts = 0;
  let unchanged = 0;

  // Items are written as whole literals in one field order: spreads gave every item its own V8
  // hidden class (seen in heap snapshots of a million-row plan).
  function planAccount(account: Account): PlanItem | null {
    const org = snapshot.byExternalId.get(account.externalId);
    if (!org) return new PackedCreate(account, options.metadataKeys);
    const { externalId, accountId, line } = account;
    const tooMany = mergedMetadataProblem(org.metadata, account.metadata);
    if (tooMany)
      return {
        action: 'invalid',
        externalId,
        accountId,
        line,
        orgId: org.id,
        changes: [],
        desired: undefined,
        error: tooMany,
      };
    const changes = diffOrganization(org, account);
    if (changes.length === 0) return null;
    const desired = { displayName: account.displayName, metadata: account.metadata };
    return { action: 'update', externalId, accountId, line, orgId: org.id, changes, desired, error: undefined };
  }

  function add(record: ParsedRecord): void {
    accounts += 1;
    if (!record.ok) {
      const { problem } = record;
      if (problem.externalId) rejectedIds.add(problem.externalId);
      items.push({
        action: problem.action,
        externalId: problem.externalId ?? null,
        accountId: problem.accountId ?? null,
        line: problem.line,
        orgId: null,
        changes: [],
        error: { code: problem.code, message: problem.message },
      });
      return;
    }
    const { account } = record;
    const first = seen.get(account.externalId);
    if (first !== undefined) {
      const lines = duplicates.get(account.externalId) ?? [{ line: Math.abs(first), accountId: account.accountId }];
      lines.push({ line: account.line, accountId: account.accountId });
      duplicates.set(account.externalId, lines);
      if (first < 0 && lines.length === 2) unchanged -= 1;
      return;
    }
    const item = planAccount(account);
    if (item) {
      items.push(item);
      seen.set(account.externalId, account.line);
    } else {
      unchanged += 1;
      seen.set(account.externalId, -account.line);
    }
  }

  function finish(): Plan {
    // The first record of a duplicated external ID was planned before its twin showed up: drop it.
    const kept =
      duplicates.size === 0
        ? items
        : items.filter(
            (i) => !(i.externalId && duplicates.has(i.externalId) && i.line === Math.abs(seen.get(i.externalId) ?? 0)),
          );
    for (const [externalId, lines] of duplicates) {
      const where = lines.map((l) => l.line).join(', ');
      for (const { line, accountId } of lines) {
        kept.push({
          action: 'conflict',
          externalId,
          accountId,
          line,
          orgId: snapshot.byExternalId.get(externalId)?.id ?? null,
          changes: [],
          error: {
            code: 'DUPLICATE_EXTERNAL_ID',
            message: `external ID ${externalId} appears on lines ${where}; neither row was applied. Keep one row per account (fix the account_id or region of the others).`,
          },
        });
      }
    }
    markAdoptable(kept, snapshot.unlinked);
    // Records arrive in line order, so the items already are, but for the conflicts appended above.
    const ordered = conflictsCount(kept) === 0 ? kept : mergeByLine(kept);
    if (options.scope === 'full')
      ordered.push(...findOrphans().sort((a, b) => (a.externalId ?? '').localeCompare(b.externalId ?? '')));
    return { items: ordered, accounts, unchanged };
  }

  function findOrphans(): PlanItem[] {
    const orphans: PlanItem[] = [];
    for (const org of snapshot.byExternalId.values()) {
      const id = org.external_id;
      if (!id || seen.has(id) || rejectedIds.has(id) || !isManagedExternalId(id, options.regions)) continue;
      orphans.push({ action: 'orphan', externalId: id, accountId: null, line: null, orgId: org.id, changes: [] });
    }
    return orphans;
  }

  return { add, finish };
}

/**
 * An organization without an external ID whose display name equals (after trimming) that of
 * exactly one account planned for creation, and no other unlinked organization has that name:
 * creating the account would make a twin, so the item becomes `adoptable`.
 */
function markAdoptable(items: PlanItem[], unlinked: readonly OrgState[]): void {
  if (unlinked.length === 0) return;
  const index = new Map<PlanItem, number>();
  const orgsByName = new Map<string, OrgState[]>();
  for (const org of unlinked) {
    const name = org.display_name.trim();
    orgsByName.set(name, [...(orgsByName.get(name) ?? []), org]);
  }
  const createsByName = new Map<string, PlanItem[]>();
  items.forEach((item, i) => {
    if (item.action !== 'create') return;
    const name = item.desired?.displayName.trim();
    if (name === undefined || !orgsByName.has(name)) return;
    createsByName.set(name, [...(createsByName.get(name) ?? []), item]);
    index.set(item, i);
  });
  for (const [name, creates] of createsByName) {
    const orgs = orgsByName.get(name) ?? [];
    const [item] = creates;
    const [org] = orgs;
    const desired = item?.desired;
    const at = item ? index.get(item) : undefined;
    if (creates.length !== 1 || orgs.length !== 1 || !item || !org || !desired || !item.externalId || at === undefined)
      continue;
    items[at] = {
      action: 'adoptable',
      externalId: item.externalId,
      accountId: item.accountId,
      line: item.line,
      orgId: org.id,
      changes: [{ field: 'external_id', from: null, to: item.externalId }, ...diffOrganization(org, desired)],
      desired,
    };
  }
}

function conflictsCount(items: readonly PlanItem[]): number {
  let count = 0;
  for (const item of items) if (item.action === 'conflict' && item.error?.code === 'DUPLICATE_EXTERNAL_ID') count += 1;
  return count;
}

/** Items in line order: every item's line is read once (a packed create decodes to give it). */
function mergeByLine(items: readonly PlanItem[]): PlanItem[] {
  const keyed = items.map((item, i) => ({ item, line: item.line ?? Number.MAX_SAFE_INTEGER, i }));
  keyed.sort((a, b) => a.line - b.line || a.i - b.i);
  return keyed.map((k) => k.item);
}
