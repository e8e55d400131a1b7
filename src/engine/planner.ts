import { createDuplicateGroups, duplicateKey, twinOrganizationConflict } from '../domain/duplicates.js';
import type { Account, RowProblem } from '../domain/types.js';
import { mergedMetadataProblem } from './metadata-check.js';
import { PlanItems, type PlannedCreate } from './plan-items.js';
import { isManagedExternalId, splitExternalId } from '../domain/external-id.js';
import { diffOrganization, type PlanItem } from './plan-item.js';
import type { OrgState, Snapshot } from './snapshot.js';

/** One record after the domain rules: an account, or the reason it was rejected. */
export type ParsedRecord = { ok: true; account: Account } | { ok: false; problem: RowProblem };

/** The result of planning: the items that need attention, and counts. */
export interface Plan {
  items: PlanItems;
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

/** A planned create whose name is that of an unlinked organization: it may turn out `adoptable`. */
interface AdoptionCandidate {
  /** Where the create is in the plan's items. */
  index: number;
  key: string;
  account: PlannedCreate;
}

/**
 * The pure diff, fed one record at a time so that a million rows never sit in memory: only items
 * that are not `unchanged` are kept (in a `PlanItems` store), and per external ID the line of its
 * first record, to find duplicates.
 */
export function createPlanner(options: PlannerOptions) {
  const { snapshot } = options;
  const items = new PlanItems(options.metadataKeys);
  /** Duplicate key (the external ID, NFKC-folded when that differs) -> line of its first record. */
  const seen = new Map<string, number>();
  /** Keys whose first record was unchanged (it becomes a conflict, no longer unchanged, if the key repeats). */
  const unchangedKeys = new Set<string>();
  /** The first record of a key that is not its own external ID (NFKC twins): how it was written. */
  const spellings = new Map<string, { externalId: string; accountId: string }>();
  const duplicates = createDuplicateGroups();
  /** One per row of a duplicated external ID; they share their group's error. */
  const conflicts: PlanItem[] = [];
  /** Organizations whose external ID is not its own duplicate key, by that key (rare). */
  const foldedOrgs = foldedIndex(snapshot);
  /** External IDs of rejected records: their organizations are not orphans. */
  const rejectedIds = new Set<string>();
  /** Unlinked organizations by trimmed name, and the creates that carry such a name. */
  const unlinkedByName = groupByName(snapshot.unlinked, (org) => org.display_name);
  const candidates = new Map<string, AdoptionCandidate[]>();
  let accounts = 0;
  let unchanged = 0;

  // Items are written as whole literals in one field order: spreads gave every item its own V8
  // hidden class (seen in heap snapshots of a million-row plan). `create`: `items.appendCreate`.
  function planAccount(account: Account, key: string): PlanItem | 'create' | null {
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
      return 'create';
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
      items.append({
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
      const group = duplicates.addRepeat(key, { externalId: firstRow.externalId, line: first }, account);
      if (firstRepeat) {
        if (unchangedKeys.delete(key)) unchanged -= 1;
        conflicts.push(conflictItem(firstRow.externalId, firstRow.accountId, first, group.error));
      }
      conflicts.push(conflictItem(account.externalId, account.accountId, account.line, group.error));
      return;
    }
    if (key !== account.externalId)
      spellings.set(key, { externalId: account.externalId, accountId: account.accountId });
    seen.set(key, account.line);
    const item = planAccount(account, key);
    if (item === null) {
      unchanged += 1;
      unchangedKeys.add(key);
    } else if (item !== 'create') {
      items.append(item);
    } else {
      const name = account.displayName.trim();
      if (unlinkedByName.has(name)) appendTo(candidates, name, { index: items.count, key, account });
      items.appendCreate(account);
    }
  }

  function finish(): Plan {
    const groups = duplicates.finish();
    // Before anything moves: the candidates' indexes are where they were appended.
    markAdoptable(items, candidates, unlinkedByName, (c) => groups.has(c.key) && c.account.line === seen.get(c.key));
    // The first record of a duplicated external ID was planned before its twin showed up: drop it.
    if (groups.size > 0)
      items.filter((i) => {
        if (!i.externalId || i.action === 'invalid' || i.action === 'conflict') return true;
        const key = duplicateKey(i.externalId);
        return !(groups.has(key) && i.line === seen.get(key));
      });
    for (const conflict of conflicts) items.append(conflict);
    // Records arrive in line order, so the items already are, but for the conflicts appended above.
    if (conflicts.length > 0) items.sortByLine();
    if (options.scope === 'full')
      for (const orphan of findOrphans().sort((a, b) => (a.externalId ?? '').localeCompare(b.externalId ?? '')))
        items.append(orphan);
    return { items, accounts, unchanged };
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

function groupByName<T>(values: readonly T[], nameOf: (value: T) => string): Map<string, T[]> {
  const byName = new Map<string, T[]>();
  for (const value of values) {
    const name = nameOf(value).trim();
    appendTo(byName, name, value);
  }
  return byName;
}

/** Appends to the list under `key` in place (copying it per append would be quadratic in one name's count). */
function appendTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * An organization without an external ID whose display name equals (after trimming) that of
 * exactly one account planned for creation, and no other unlinked organization has that name:
 * creating the account would make a twin, so the item becomes `adoptable`. Creates that are
 * `dropped` (the first row of a duplicated external ID) do not count.
 */
function markAdoptable(
  items: PlanItems,
  candidates: ReadonlyMap<string, readonly AdoptionCandidate[]>,
  unlinkedByName: ReadonlyMap<string, readonly OrgState[]>,
  dropped: (candidate: AdoptionCandidate) => boolean,
): void {
  for (const [name, all] of candidates) {
    const creates = all.filter((c) => !dropped(c));
    const orgs = unlinkedByName.get(name) ?? [];
    const [candidate] = creates;
    const [org] = orgs;
    if (creates.length !== 1 || orgs.length !== 1 || !candidate || !org) continue;
    const { externalId, accountId, line, displayName, metadata } = candidate.account;
    const desired = { displayName, metadata };
    items.replaceAt(candidate.index, {
      action: 'adoptable',
      externalId,
      accountId,
      line,
      orgId: org.id,
      changes: [{ field: 'external_id', from: null, to: externalId }, ...diffOrganization(org, desired)],
      desired,
    });
  }
}
