import { describe, expect, it } from 'vitest';
import { describeCounts, formatDuration, renderRunHeader, renderRunsTable } from '../../../src/commands/run-table.js';
import type { RunSummary } from '../../../src/store/run-history.js';
import { reportSummary } from '../../helpers/report-summary.js';

const counts = reportSummary({ accounts: 12, create: 2, update: 1, unchanged: 8, invalid: 1, api_calls: 9 });

function run(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    run_id: 'r-1',
    kind: 'nightly-sync',
    trigger: 'schedule',
    job_id: 'j-1',
    source: 'postgres:',
    started_at: '2025-01-02T02:00:00.123Z',
    finished_at: '2025-01-02T02:01:05.123Z',
    duration_ms: 65_000,
    counts,
    result: 'failed',
    exit_code: 1,
    error: null,
    items_total: 4,
    items_stored: 4,
    retry_of: null,
    retry_records: 0,
    ...overrides,
  };
}

describe('the run table', () => {
  it('shows only the counts that are not zero', () => {
    expect(describeCounts(counts)).toBe('12 accounts: create 2, update 1, invalid 1');
    expect(describeCounts({ ...counts, create: 0, update: 0, invalid: 0 })).toBe('12 accounts, in step');
    expect(describeCounts(null)).toBe('—');
  });

  it('formats durations with their unit', () => {
    expect(formatDuration(1_500)).toBe('1.5 s');
    expect(formatDuration(65_000)).toBe('1 min 5 s');
    expect(formatDuration(3_780_000)).toBe('1 h 3 min');
  });

  it('lines runs up under a header, and shows the error of a failed job', () => {
    const table = renderRunsTable([
      run(),
      run({
        run_id: 'r-2',
        kind: 'reconcile',
        trigger: 'webhook',
        result: 'error',
        counts: null,
        error: { code: 'ERR_SOURCE', message: 'no such table' },
      }),
    ]);
    const [header, first, second] = table.split('\n');
    expect(header).toMatch(/^RUN\s+KIND\s+TRIGGER\s+STARTED\s+DURATION\s+RESULT\s+COUNTS$/);
    expect(first).toMatch(
      /^r-1\s+nightly-sync\s+schedule\s+2025-01-02T02:00:00Z\s+1 min 5 s\s+failed\s+12 accounts: create 2/,
    );
    expect(second).toMatch(/error\s+no such table$/);
    expect(renderRunsTable([])).toMatch(/No runs recorded yet/);
  });

  it('heads a shown run with its kind, trigger, job and timing', () => {
    const header = renderRunHeader(run({ items_stored: 2 }));
    expect(header).toContain('run r-1: nightly-sync, started by schedule (job j-1)');
    expect(header).toContain('result failed, exit code 1');
    expect(header).toContain("keeps 2 of the report's 4 items");
  });

  it('says how to retry a run with failed or stale items, and which run a retry retried', () => {
    expect(renderRunHeader(run({ counts: { ...counts, failed: 2, stale: 1 } }))).toContain(
      '3 items failed or went stale: orgsync retry r-1',
    );
    expect(renderRunHeader(run({ kind: 'retry', retry_of: 'r-0' }))).toContain(
      'a retry of the failed and stale items of run r-0',
    );
  });
});
