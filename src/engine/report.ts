import { ReportItems } from './report-items.js';
import type { ItemAction, Report, ReportItem, ReportSummary, RunMode, RunReport, RunScope } from './types.js';

const ACTIONS: readonly ItemAction[] = [
  'create',
  'update',
  'orphan',
  'delete',
  'adoptable',
  'invalid',
  'conflict',
  'stale',
  'failed',
];

export interface BuildReportInput {
  runId: string;
  mode: RunMode;
  scope: RunScope;
  source: string;
  startedAt: Date;
  finishedAt?: Date;
  accounts: number;
  unchanged: number;
  /** The items: a run's (`ReportItems`), or a list (a job's own report). */
  items: ReportItems | readonly ReportItem[];
  apiCalls: number;
  /** See `Report.unmanaged_keys`; default none. */
  unmanagedKeys?: readonly string[] | undefined;
  /** See `Report.unknown_columns`; default none. */
  unknownColumns?: readonly string[] | undefined;
}

/** Assembles `report.json`: the summary is counted from the items, never kept separately. */
export function buildReport(input: BuildReportInput): RunReport {
  const summary: ReportSummary = {
    accounts: input.accounts,
    create: 0,
    update: 0,
    unchanged: input.unchanged,
    orphan: 0,
    delete: 0,
    adoptable: 0,
    invalid: 0,
    conflict: 0,
    stale: 0,
    failed: 0,
    api_calls: input.apiCalls,
  };
  const items = input.items instanceof ReportItems ? input.items : ReportItems.from(input.items);
  for (const action of items.actions()) summary[action] += 1;
  return {
    run_id: input.runId,
    mode: input.mode,
    scope: input.scope,
    source: input.source,
    started_at: input.startedAt.toISOString(),
    finished_at: (input.finishedAt ?? new Date()).toISOString(),
    summary,
    unmanaged_keys: [...(input.unmanagedKeys ?? [])],
    unknown_columns: [...(input.unknownColumns ?? [])],
    items,
  };
}

/** Items that make the run fail (exit code 1). */
export function failureCount(summary: ReportSummary): number {
  return summary.invalid + summary.conflict + summary.stale + summary.failed;
}

/** Items that are drift: something differs between the host system and Scalekit. */
export function driftCount(summary: ReportSummary): number {
  return summary.create + summary.update + summary.orphan + summary.adoptable + summary.delete;
}

/**
 * The contract's exit codes: 1 when any item was invalid, conflicting, stale or failed; with
 * `--detailed-exitcode` (plan), 2 when drift was found; otherwise 0.
 */
export function exitCodeFor(report: Pick<Report, 'summary'>, options: { detailedExitCode?: boolean } = {}): 0 | 1 | 2 {
  if (failureCount(report.summary) > 0) return 1;
  if (options.detailedExitCode && driftCount(report.summary) > 0) return 2;
  return 0;
}

export { ACTIONS };
