import { driftCount } from './report.js';
import type { ReportSummary } from './types.js';

/** How a run went, as notifications and the alerting metrics say it. */
export type RunVerdict = 'ok' | 'drift' | 'failed';

/**
 * The verdict of a finished run: `failed` when the job failed (no summary) or any item `failed`;
 * `drift` when anything was changed, planned or refused (create, update, delete, orphan,
 * adoptable, invalid, conflict, stale); `ok` when everything was already in step.
 */
export function runVerdictOf(summary: ReportSummary | null): RunVerdict {
  if (summary === null || summary.failed > 0) return 'failed';
  const refused = summary.invalid + summary.conflict + summary.stale;
  return driftCount(summary) + refused > 0 ? 'drift' : 'ok';
}
