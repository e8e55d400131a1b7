import { ACTIONS } from '../engine/report.js';
import { runVerdictOf, type RunVerdict } from '../engine/run-verdict.js';
import type { ReportSummary } from '../engine/types.js';

/** A finished run, as a notification describes it. */
export interface NoticeRun {
  runId: string;
  /** The run kind: `nightly-sync`, `bulk-import`, `reconcile`, `cli-apply` (an `orgsync apply`). */
  kind: string;
  /** The report's summary; `null` when the job failed before producing a report. */
  summary: ReportSummary | null;
  /** RFC 3339. */
  startedAt: string;
  finishedAt: string;
  /** Why the job failed, when it did (no report). */
  error?: { code: string; message: string } | null | undefined;
}

/**
 * The JSON document POSTed to every ORGSYNC_NOTIFY_URL (docs/operations.md). `text` is one human
 * line, so that Slack and Mattermost incoming webhooks take the document as it is; the rest serves
 * any receiver. `url` is the run's page, `null` unless ORGSYNC_PUBLIC_URL is set.
 */
export interface RunNotice {
  text: string;
  run_id: string;
  kind: string;
  result: RunVerdict;
  /** The report's summary; `null` when the job failed without a report (then `error` says why). */
  summary: ReportSummary | null;
  started_at: string;
  finished_at: string;
  url: string | null;
  error: { code: string; message: string } | null;
}

/** The run page of `runId` under ORGSYNC_PUBLIC_URL (the `/runs/:id` route of `orgsync serve`). */
function runPageUrl(publicUrl: string, runId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/runs/${encodeURIComponent(runId)}`;
}

/** `120 accounts: create 3, update 2, failed 5` (only the actions that occurred). */
function countsText(summary: ReportSummary): string {
  const accounts = `${summary.accounts} ${summary.accounts === 1 ? 'account' : 'accounts'}`;
  const actions = ACTIONS.filter((action) => summary[action] > 0).map((action) => `${action} ${summary[action]}`);
  return actions.length === 0 ? `${accounts}, all in step` : `${accounts}: ${actions.join(', ')}`;
}

/** Builds the notification of a finished run. */
export function buildRunNotice(run: NoticeRun, publicUrl?: string | undefined): RunNotice {
  const result = runVerdictOf(run.summary);
  const url = publicUrl === undefined ? null : runPageUrl(publicUrl, run.runId);
  const what =
    run.summary === null
      ? `the job failed${run.error ? ` (${run.error.code})` : ''}, no report`
      : countsText(run.summary);
  const text = `orgsync ${run.kind} ${result}: ${what} — ${url ?? `run ${run.runId}`}`;
  return {
    text,
    run_id: run.runId,
    kind: run.kind,
    result,
    summary: run.summary,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    url,
    error: run.error ?? null,
  };
}
