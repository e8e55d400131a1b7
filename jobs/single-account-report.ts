import { columnKey } from '../src/domain/account-record.js';
import { buildReport } from '../src/engine/report.js';
import type { RunReport } from '../src/engine/types.js';

/**
 * Pieces shared by the jobs that act on single accounts from what was last pushed (`reconcile`,
 * `retry`): an empty partial `apply` report, and a pushed account keyed as sources key their columns.
 */

/** A partial `apply` report with no accounts, items or API calls, started now. */
export function emptyPartialReport(runId: string, description: string): RunReport {
  return buildReport({
    runId,
    mode: 'apply',
    scope: 'partial',
    source: description,
    startedAt: new Date(),
    accounts: 0,
    unchanged: 0,
    items: [],
    apiCalls: 0,
  });
}

/** A pushed account's fields keyed as sources key their columns (`columnKey`). */
export function keyedAsColumns(account: Record<string, string | null>): Record<string, string | null> {
  return Object.fromEntries(Object.entries(account).map(([k, v]) => [columnKey(k), v]));
}
