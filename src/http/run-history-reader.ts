import type { RunHistory } from '../store/run-history.js';
import { ACTIONS } from '../engine/report.js';
import { runVerdictOf } from '../engine/run-verdict.js';
import type { KindStats, RunStats } from './metrics.js';

/** What the run pages and `/metrics` read from the queue's run history (Redis). */
export type RunHistoryReader = Pick<RunHistory, 'list' | 'get'>;

/**
 * The run metrics from the runs the history holds (shared by every instance, so right whichever
 * process ran them): `orgsync_runs_total` per kind and result, and per kind the alerting metrics
 * (`orgsync_last_run_timestamp_seconds`, `orgsync_last_success_timestamp_seconds`,
 * `orgsync_run_duration_seconds`, `orgsync_drift_items`) with the verdicts notifications use.
 */
export async function readRunStats(history: RunHistoryReader): Promise<RunStats> {
  const runs = await history.list(); // newest first
  const totals = new Map<string, { kind: string; result: string; count: number }>();
  const kinds = new Map<string, KindStats & { durationsSeconds: number[] }>();
  for (const run of runs) {
    const key = `${run.kind}\u0000${run.result}`;
    const entry = totals.get(key) ?? { kind: run.kind, result: run.result, count: 0 };
    entry.count += 1;
    totals.set(key, entry);

    let stats = kinds.get(run.kind);
    if (stats === undefined) {
      stats = { kind: run.kind, lastRunAt: {}, lastSuccessAt: null, durationsSeconds: [], drift: null };
      kinds.set(run.kind, stats);
    }
    const finishedAt = Date.parse(run.finished_at) / 1000;
    const verdict = runVerdictOf(run.counts);
    stats.lastRunAt[verdict] = Math.max(stats.lastRunAt[verdict] ?? 0, finishedAt);
    if (verdict !== 'failed') stats.lastSuccessAt = Math.max(stats.lastSuccessAt ?? 0, finishedAt);
    stats.durationsSeconds.push(run.duration_ms / 1000);
    const counts = run.counts;
    if (stats.drift === null && counts !== null)
      stats.drift = Object.fromEntries(ACTIONS.map((action) => [action, counts[action]]));
  }
  return { totals: [...totals.values()], kinds: [...kinds.values()] };
}
