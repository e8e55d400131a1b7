import type { ReportSummary } from '../engine/types.js';
import type { RunSummary } from '../store/run-history.js';

const SHOWN: (keyof ReportSummary)[] = [
  'create',
  'update',
  'delete',
  'orphan',
  'adoptable',
  'invalid',
  'conflict',
  'stale',
  'failed',
];

/** `2,503 accounts: create 2,499, invalid 2, conflict 2` — only the counts that are not zero. */
export function describeCounts(counts: ReportSummary | null): string {
  if (counts === null) return '—';
  const parts = SHOWN.filter((k) => counts[k] > 0).map((k) => `${k} ${counts[k]}`);
  return `${counts.accounts} account${counts.accounts === 1 ? '' : 's'}${parts.length > 0 ? `: ${parts.join(', ')}` : ', in step'}`;
}

/** `1.5 s`, `2 min 5 s`, `1 h 3 min`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** The table `orgsync runs` prints: one run per line, newest first. */
export function renderRunsTable(runs: readonly RunSummary[]): string {
  if (runs.length === 0)
    return 'No runs recorded yet (runs of orgsync worker jobs, and of orgsync apply with REDIS_URL set, appear here).\n';
  const rows = runs.map((r) => [
    r.run_id,
    r.kind,
    r.trigger,
    r.started_at.replace(/\.\d+Z$/, 'Z'),
    formatDuration(r.duration_ms),
    r.result,
    r.result === 'error' ? (r.error?.message ?? '') : describeCounts(r.counts),
  ]);
  const header = ['RUN', 'KIND', 'TRIGGER', 'STARTED', 'DURATION', 'RESULT', 'COUNTS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

/** The lines `orgsync runs show ID` prints above the report's summary. */
export function renderRunHeader(run: RunSummary): string {
  const lines = [
    `run ${run.run_id}: ${run.kind}, started by ${run.trigger}${run.job_id ? ` (job ${run.job_id})` : ''}`,
    `  ${run.started_at} → ${run.finished_at} (${formatDuration(run.duration_ms)}), result ${run.result}, exit code ${run.exit_code}`,
  ];
  if (run.error) lines.push(`  error ${run.error.code}: ${run.error.message}`);
  if (run.retry_of) lines.push(`  a retry of the failed and stale items of run ${run.retry_of}`);
  const toRetry = run.counts ? run.counts.failed + run.counts.stale : 0;
  if (toRetry > 0)
    lines.push(`  ${toRetry} item${toRetry === 1 ? '' : 's'} failed or went stale: orgsync retry ${run.run_id}`);
  if (run.items_stored < run.items_total)
    lines.push(`  the history keeps ${run.items_stored} of the report's ${run.items_total} items`);
  return `${lines.join('\n')}\n`;
}
