import { duplicateKey } from '../domain/duplicates.js';
import { quoteValue } from '../domain/characters.js';
import { accountIdsOf } from '../domain/external-id.js';
import type { PlanItem } from './plan-item.js';

/** What `decideDeletes` needs: the whole plan (orphans and rejected rows) and the settings. */
export interface DeleteDecisionInput {
  /**
   * The plan's items with their index in it, in order (creates may be left out): its `orphan`s are
   * decided, its `invalid` and `conflict` rows weighed.
   */
  items: Iterable<[number, PlanItem]>;
  /** The configured regions (an orphan's account ID is what follows its region prefix). */
  regions: readonly string[];
  /** Deletes are withheld when more than this many AND more than `maxPercent` of `managedCount` would go. */
  maxCount: number;
  maxPercent: number;
  /** Organizations with a managed external ID. */
  managedCount: number;
  /** ORGSYNC_DELETE_BLOCK_ON_INVALID: while any row is invalid or in conflict, no delete at all. */
  blockOnInvalid: boolean;
}

/** For one orphan: delete it, or withhold the delete for the reason given. Keyed by the orphan's index in the plan. */
export type DeleteDecision = { delete: true } | { delete: false; error: { code: string; message: string } };

/**
 * The one place that decides which orphans a full `apply --allow-delete` deletes (the SCIM check,
 * which needs a call, comes after). Deleting is the one action that cannot be undone, so in doubt
 * it withholds, in this order of reasons:
 * 1. an invalid or conflicting row of the run could be the orphan's account: same account_id after
 *    a region prefix (compared ignoring case and Unicode compatibility forms), or a row whose
 *    account_id could not be read at all (`DELETE_WITHHELD_ROW`, naming the row's line);
 * 2. with `blockOnInvalid`, any invalid or conflicting row at all (`DELETE_WITHHELD_INVALID_ROWS`);
 * 3. more orphans than both thresholds (`DELETE_WITHHELD`).
 * Pure: the same plan and settings always give the same decisions (a plan can show them).
 */
export function decideDeletes(input: DeleteDecisionInput): Map<number, DeleteDecision> {
  const items = [...input.items]; // read once: a plan's iterator may be single-pass
  const rows = rejectedRows(items);
  const orphans = items.filter(([, item]) => item.action === 'orphan');
  const overThresholds =
    orphans.length > input.maxCount && orphans.length > (input.managedCount * input.maxPercent) / 100;
  const decisions = new Map<number, DeleteDecision>();
  for (const [at, orphan] of orphans) {
    const matched = accountIdsOf(orphan.externalId ?? '', input.regions)
      .map((accountId) => ({ accountId, row: rows.byAccountId.get(looseKey(accountId)) }))
      .find((m) => m.row !== undefined);
    if (matched?.row !== undefined) {
      decisions.set(at, withheld('DELETE_WITHHELD_ROW', rowReason(matched.row, matched.accountId)));
    } else if (rows.unknownLine !== undefined) {
      decisions.set(at, withheld('DELETE_WITHHELD_ROW', unreadableRowReason(rows.unknownLine)));
    } else if (input.blockOnInvalid && rows.count > 0) {
      decisions.set(at, withheld('DELETE_WITHHELD_INVALID_ROWS', blockReason(rows.count, rows.firstLine)));
    } else if (overThresholds) {
      decisions.set(
        at,
        withheld(
          'DELETE_WITHHELD',
          `deletes withheld: more than ${input.maxCount} organizations and more than ${input.maxPercent}% of the ${input.managedCount} managed ones would go. Check the source is complete, or raise ORGSYNC_DELETE_MAX_COUNT / ORGSYNC_DELETE_MAX_PERCENT.`,
        ),
      );
    } else {
      decisions.set(at, { delete: true });
    }
  }
  return decisions;
}

interface RejectedRow {
  line: number;
  action: 'invalid' | 'conflict';
}

interface RejectedRows {
  count: number;
  firstLine: number | undefined;
  /** Loose account ID -> the first rejected row with that account ID. */
  byAccountId: Map<string, RejectedRow>;
  /** First line of a rejected row whose account ID could not be read (it could be anyone's). */
  unknownLine: number | undefined;
}

function rejectedRows(items: Iterable<[number, PlanItem]>): RejectedRows {
  const rows: RejectedRows = { count: 0, firstLine: undefined, byAccountId: new Map(), unknownLine: undefined };
  for (const [, item] of items) {
    if ((item.action !== 'invalid' && item.action !== 'conflict') || item.line === null) continue;
    rows.count += 1;
    if (rows.firstLine === undefined || item.line < rows.firstLine) rows.firstLine = item.line;
    if (item.accountId === null) {
      if (rows.unknownLine === undefined || item.line < rows.unknownLine) rows.unknownLine = item.line;
      continue;
    }
    const key = looseKey(item.accountId);
    const seen = rows.byAccountId.get(key);
    if (seen === undefined || item.line < seen.line)
      rows.byAccountId.set(key, { line: item.line, action: item.action });
  }
  return rows;
}

/** Account IDs compared the careful way: ignoring case and Unicode compatibility forms. */
function looseKey(accountId: string): string {
  return duplicateKey(accountId.normalize('NFC')).toLowerCase();
}

function withheld(code: string, message: string): DeleteDecision {
  return { delete: false, error: { code, message } };
}

function rowReason(row: RejectedRow, accountId: string): string {
  const kind = row.action === 'conflict' ? 'conflicting' : 'invalid';
  return (
    `not deleted: the ${kind} row on line ${row.line} has account_id ${quoteValue(accountId)}, so it may be this ` +
    "organization's account. Fix that row and run again; the organization is kept until then."
  );
}

function unreadableRowReason(line: number): string {
  return (
    `not deleted: the row on line ${line} is invalid and its account_id could not be read, so it could be this ` +
    "organization's account. Fix that row and run again; the organization is kept until then."
  );
}

function blockReason(count: number, firstLine: number | undefined): string {
  return (
    `not deleted: ${count} row${count === 1 ? ' is' : 's are'} invalid or in conflict in this run (the first on line ${firstLine ?? '?'}), ` +
    'and while any row is, no organization is deleted: one of them may be its account. Fix those rows and run again, ' +
    'or set ORGSYNC_DELETE_BLOCK_ON_INVALID=false to delete the orphans that no bad row could belong to.'
  );
}
