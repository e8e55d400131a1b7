import type { Report } from '../../../src/engine/types.js';
import type { RunHistoryReader } from '../../../src/http/run-history-reader.js';
import type { RunSummary, StoredRun } from '../../../src/store/run-history.js';
import { reportSummary } from '../../helpers/report-summary.js';

/** A display name that would run script if it reached the page unescaped. */
export const HOSTILE_NAME = `<script>document.title="pwned"</script><img src=x onerror="document.title='pwned'">`;

/** A report with one item of several actions, untrusted text in names and messages. */
export function sampleReport(runId = 'run-1'): Report {
  return {
    run_id: runId,
    mode: 'apply',
    scope: 'full',
    source: 'csv:accounts.csv',
    started_at: '2026-05-01T02:00:00.000Z',
    finished_at: '2026-05-01T02:00:12.500Z',
    summary: reportSummary({ accounts: 6, create: 1, update: 1, unchanged: 2, orphan: 1, invalid: 1, api_calls: 5 }),
    items: [
      {
        external_id: 'us-east-CUST-1',
        account_id: 'CUST-1',
        line: 2,
        action: 'create',
        org_id: 'org_new',
        changes: [{ field: 'display_name', from: null, to: HOSTILE_NAME }],
        error: null,
      },
      {
        external_id: 'us-east-CUST-2',
        account_id: 'CUST-2',
        line: 3,
        action: 'update',
        org_id: 'org_2',
        changes: [
          { field: 'display_name', from: 'Acme', to: 'Acme Inc' },
          { field: 'metadata.billing_plan', from: 'free', to: 'pro' },
        ],
        error: null,
      },
      {
        external_id: 'eu-west-OLD-9',
        account_id: null,
        line: null,
        action: 'orphan',
        org_id: 'org_9',
        changes: [],
        error: null,
      },
      {
        external_id: null,
        account_id: 'CUST-7',
        line: 8,
        action: 'invalid',
        org_id: null,
        changes: [],
        error: { code: 'ERR_REGION_UNKNOWN', message: 'region "<b>mars</b>" is not a configured region' },
      },
    ],
  };
}

export function summaryOf(report: Report, overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    run_id: report.run_id,
    kind: 'nightly-sync',
    trigger: 'schedule',
    job_id: '17',
    source: report.source,
    started_at: report.started_at,
    finished_at: report.finished_at,
    duration_ms: 12_500,
    counts: report.summary,
    result: 'failed',
    exit_code: 1,
    error: null,
    items_total: report.items.length,
    items_stored: report.items.length,
    retry_of: null,
    retry_records: 0,
    ...overrides,
  };
}

/** A run history over fixed runs, newest first. */
export function staticHistory(runs: readonly StoredRun[]): RunHistoryReader {
  return {
    async list(limit, filter = {}) {
      return runs
        .map((r) => r.summary)
        .filter((r) => filter.kind === undefined || r.kind === filter.kind)
        .slice(0, limit);
    },
    async get(id) {
      return runs.find((r) => r.summary.run_id === id) ?? null;
    },
  };
}
