import type { RunHistory } from '../store/run-history.js';
import { ACTIONS } from '../engine/report.js';
import type { RunStats } from './metrics.js';

/** What the run pages and `/metrics` read from the queue's run history (Redis). */
export type RunHistoryReader = Pick<RunHistory, 'list' | 'get'>;

/**
 * `orgsync_runs_total` and `orgsync_drift_items` from the runs the history holds (the last
 * ORGSYNC_RUN_HISTORY runs, shared by every instance): totals per kind and result, and the
 * counts of the newest run that has a report.
 */
export async function readRunStats(history: RunHistoryReader): Promise<RunStats> {
  const runs = await history.list();
  const totals = new Map<string, { kind: string; result: string; count: number }>();
  for (const run of runs) {
    const key = `${run.kind}\u0000${run.result}`;
    const entry = totals.get(key) ?? { kind: run.kind, result: run.result, count: 0 };
    entry.count += 1;
    totals.set(key, entry);
  }
  const newest = runs.find((run) => run.counts !== null)?.counts ?? null;
  const lastDrift = newest === null ? null : Object.fromEntries(ACTIONS.map((action) => [action, newest[action]]));
  return { totals: [...totals.values()], lastDrift };
}
