import { columnKey } from '../domain/account-record.js';
import { splitExternalId } from '../domain/external-id.js';
import type { PlanItem } from './plan-item.js';
import type { ItemAction, ReportItem } from './types.js';

/** The actions `orgsync retry` retries: the items that a later run may well fix. */
const RETRY_ACTIONS: readonly ItemAction[] = ['failed', 'stale'];

/**
 * The account record of a failed or stale item, kept with its run so that `orgsync retry` can
 * reconcile it even when the source it came from (a CSV) is gone: the values as a source yields
 * them (`SourceRecord.values`: `account_id`, `region`, `display_name`, the owned metadata keys the
 * run managed; a key left out is not managed, `null` removes it).
 */
export interface RetryRecord {
  external_id: string;
  line: number | null;
  values: Record<string, string | null>;
}

/** The external IDs of the items to retry (failed or stale, with an external ID), in report order, once each. */
export function retryTargets(items: Iterable<ReportItem>): { externalId: string; accountId: string | null }[] {
  const seen = new Map<string, string | null>();
  for (const item of items)
    if (RETRY_ACTIONS.includes(item.action) && item.external_id !== null && !seen.has(item.external_id))
      seen.set(item.external_id, item.account_id);
  return [...seen].map(([externalId, accountId]) => ({ externalId, accountId }));
}

/**
 * The account records of a run's failed and stale items, from what its plan wanted for them (the
 * desired state of a create or update). Items without one (a failed delete) have no record: a
 * retry looks their account up instead.
 */
export function retryRecordsOf(
  report: { items: Iterable<ReportItem>; summary: { failed: number; stale: number } },
  plan: Iterable<PlanItem>,
  regions: readonly string[],
): RetryRecord[] {
  // A clean run has nothing to keep: do not walk (and unpack) a million report items to learn it.
  if (report.summary.failed + report.summary.stale === 0) return [];
  const wanted = new Set(retryTargets(report.items).map((t) => t.externalId));
  if (wanted.size === 0) return [];
  const records: RetryRecord[] = [];
  for (const item of plan) {
    if (wanted.size === 0) break; // the rest of a large plan need not be unpacked
    if (item.externalId === null || !item.desired || !wanted.has(item.externalId)) continue;
    const split = splitExternalId(item.externalId, regions);
    if (!split) continue;
    wanted.delete(item.externalId);
    records.push({
      external_id: item.externalId,
      line: item.line,
      values: {
        ...Object.fromEntries(Object.entries(item.desired.metadata).map(([key, value]) => [columnKey(key), value])),
        account_id: item.accountId ?? split.accountId,
        region: split.region,
        display_name: item.desired.displayName,
      },
    });
  }
  return records;
}
