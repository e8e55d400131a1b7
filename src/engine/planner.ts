import { createDuplicateGroups, duplicateKey, twinOrganizationConflict } from '../domain/duplicates.js';
import type { Account, RowProblem } from '../domain/types.js';
import { mergedMetadataProblem } from './metadata-check.js';
import { PackedCreate } from './packed-create.js';
import { isManagedExternalId, splitExternalId } from '../domain/external-id.js';
import { diffOrganization, type PlanItem } from './plan-item.js';
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
  /** Duplicate key (the external ID, NFKC-folded when that differs) -> line of its first record; negative when unchanged. */
  const seen = new Map<string, number>();
  /** The first record of a key that is not its own external ID (NFKC twins): how it was written. */
  const spellings = new Map<string, { externalId: string; accountId: string }>();
  const duplicates = createDuplicateGroups();
  /** One per row of a duplicated external ID; they share their group's error. */
  const conflicts: PlanItem[] = [];
  /** Organizations whose external ID is not its own duplicate key, by that key (rare). */
  const foldedOrgs = foldedIndex(snapshot);
  /** External IDs of rejected records: their organizations are not orphans. */
  const rejectedIds = new Set<string>();
  let accounts = 0;
  let unchanged = 0;

  // Items are written as whole literals in one field order: spreads gave every item its own V8
  // hidden class (seen in heap snapshots of a million-row plan).
  function planAccount(account: Account, key: string): PlanItem | null {
    const org = snapshot.byExternalId.get(account.externalId);
    const { externalId, accountId, line } = account;
    if (!org) {
      const twin = foldedOrgs.get(key) ?? (key === externalId ? undefined : snapshot.byExternalId.get(key));
      if (twin && twin.external_id !== null) {
        const error = twinOrganizationConflict({ externalId, line }, { id: twin.id, externalId: twin.external_id });
        return {
          action: 'conflict',
          externalId,
          accountId,
          line,
          orgId: twin.id,
          changes: [],
          desired: undefined,
          error,
        };
      }
      return new PackedCreate(account, options.metadataKeys);
    }
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

  function conflictItem(externalId: string, accountId: string, line: number, error: PlanItem['error']): PlanItem {
    const orgId = snapshot.byExternalId.get(externalId)?.id ?? null;
    return { action: 'conflict', externalId, accountId, line, orgId, changes: [], desired: undefined, error };
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
    const key = duplicateKey(account.externalId);
    const first = seen.get(key);
    if (first !== undefined) {
      // A first row not in `spellings` was written as the key itself: its account ID follows the region prefix.
      const firstRow = spellings.get(key) ?? {
        externalId: key,
        accountId: splitExternalId(key, [account.region])?.accountId ?? account.accountId,
      };
      const firstRepeat = duplicates.get(key) === undefined;
      const group = duplicates.addRepeat(key, { externalId: firstRow.externalId, line: Math.abs(first) }, account);
      if (firstRepeat) {
        if (first < 0) unchanged -= 1;
        conflicts.push(conflictItem(firstRow.externalId, firstRow.accountId, Math.abs(first), group.error));
      }
      conflicts.push(conflictItem(account.externalId, account.accountId, account.line, group.error));
      return;
    }
    if (key !== account.externalId)
      spellings.set(key, { externalId: account.externalId, accountId: account.accountId });
    const item = planAccount(account, key);
    if (item) {
      items.push(item);
      seen.set(key, account.line);
    } else {
      unchanged += 1;
      seen.set(key, -account.line);
    }
  }

  function finish(): Plan {
    const groups = duplicates.finish();
    // The first record of a duplicated external ID was planned before its twin showed up: drop it.
    const kept =
      groups.size === 0
        ? items
        : items.filter((i) => {
            if (!i.externalId || i.action === 'invalid' || i.action === 'conflict') return true;
            const key = duplicateKey(i.externalId);
            return !(groups.has(key) && i.line === Math.abs(seen.get(key) ?? 0));
          });
    kept.push(...conflicts);
    markAdoptable(kept, snapshot.unlinked);
    // Records arrive in line order, so the items already are, but for the conflicts appended above.
    const ordered = conflicts.length === 0 ? kept : mergeByLine(kept);
    if (options.scope === 'full')
      ordered.push(...findOrphans().sort((a, b) => (a.externalId ?? '').localeCompare(b.externalId ?? '')));
    return { items: ordered, accounts, unchanged };
  }

  function findOrphans(): PlanItem[] {
    const orphans: PlanItem[] = [];
    for (const org of snapshot.byExternalId.values()) {
      const id = org.external_id;
      if (!id || seen.has(duplicateKey(id)) || rejectedIds.has(id) || !isManagedExternalId(id, options.regions))
        continue;
      orphans.push({ action: 'orphan', externalId: id, accountId: null, line: null, orgId: org.id, changes: [] });
    }
    return orphans;
  }

  return { add, finish };
}

/** Organizations whose external ID differs from its duplicate key (not NFKC-stable), by that key. */
function foldedIndex(snapshot: Snapshot): Map<string, OrgState> {
  const index = new Map<string, OrgState>();
  for (const [id, org] of snapshot.byExternalId) {
    const key = duplicateKey(id);
    if (key !== id) index.set(key, org);
  }
  return index;
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

/** Items in line order: every item's line is read once (a packed create decodes to give it). */
function mergeByLine(items: readonly PlanItem[]): PlanItem[] {
  const keyed = items.map((item, i) => ({ item, line: item.line ?? Number.MAX_SAFE_INTEGER, i }));
  keyed.sort((a, b) => a.line - b.line || a.i - b.i);
  return keyed.map((k) => k.item);
}
