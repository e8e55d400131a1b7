import { randomUUID } from 'node:crypto';
import RedisMock from 'ioredis-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { buildReport } from '../../../src/engine/report.js';
import type { RunReport } from '../../../src/engine/types.js';
import { createRunHistory, type RunRecordInput } from '../../../src/store/run-history.js';

const redis = new RedisMock();
const keyPrefix = `test-${randomUUID()}:`;

afterEach(async () => {
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});

function report(runId: string, failed = 0): RunReport {
  const items = Array.from({ length: failed }, (_, i) => ({
    external_id: `us-east-C${i}`,
    account_id: `C${i}`,
    line: i + 2,
    action: 'failed' as const,
    org_id: null,
    changes: [],
    error: { code: 'X', message: 'boom' },
  }));
  return buildReport({
    runId,
    mode: 'apply',
    scope: 'partial',
    source: 'csv:a.csv',
    startedAt: new Date(1000),
    accounts: 5,
    unchanged: 5 - failed,
    items,
    apiCalls: 3,
  });
}

function run(runId: string, startedAtMs: number, overrides: Partial<RunRecordInput> = {}): RunRecordInput {
  return {
    runId,
    kind: 'bulk-import',
    trigger: 'cli',
    jobId: `job-${runId}`,
    startedAt: new Date(startedAtMs),
    finishedAt: new Date(startedAtMs + 1500),
    report: report(runId),
    exitCode: 0,
    ...overrides,
  };
}

describe('createRunHistory', () => {
  it('lists runs newest first with their counts, duration and result', async () => {
    const history = createRunHistory(redis, { keyPrefix, limit: 10 });
    await history.record(run('a', 1_000));
    await history.record(run('b', 3_000, { report: report('b', 2), exitCode: 1 }));
    await history.record(
      run('c', 2_000, { report: null, exitCode: 1, error: { code: 'ERR_SOURCE', message: 'no file' } }),
    );
    const list = await history.list();
    expect(list.map((r) => [r.run_id, r.result])).toEqual([
      ['b', 'failed'],
      ['c', 'error'],
      ['a', 'ok'],
    ]);
    expect(list[0]).toMatchObject({
      kind: 'bulk-import',
      trigger: 'cli',
      job_id: 'job-b',
      duration_ms: 1500,
      source: 'csv:a.csv',
    });
    expect(list[0]?.counts).toMatchObject({ accounts: 5, failed: 2, unchanged: 3 });
    expect(list[1]?.counts).toBeNull();
  });

  it('keeps only the last N runs, deleting the reports of the others', async () => {
    const history = createRunHistory(redis, { keyPrefix, limit: 2 });
    for (const [i, id] of ['a', 'b', 'c', 'd'].entries()) await history.record(run(id, 1_000 * (i + 1)));
    expect((await history.list()).map((r) => r.run_id)).toEqual(['d', 'c']);
    expect(await history.get('a')).toBeNull();
    expect(await redis.exists(`${keyPrefix}run:a`)).toBe(0);
    expect((await history.list(1)).map((r) => r.run_id)).toEqual(['d']);
  });

  it('returns the stored report of one run, and null for an unknown one', async () => {
    const history = createRunHistory(redis, { keyPrefix, limit: 5 });
    await history.record(run('x', 1_000, { report: report('x', 3), exitCode: 1 }));
    const stored = await history.get('x');
    expect(stored?.report?.items).toHaveLength(3);
    expect(stored?.report?.summary.failed).toBe(3);
    expect(stored?.summary.run_id).toBe('x');
    expect(await history.get('nope')).toBeNull();
  });

  it('caps the stored items but keeps the full counts', async () => {
    const history = createRunHistory(redis, { keyPrefix, limit: 5, maxReportItems: 2 });
    const summary = await history.record(run('y', 1_000, { report: report('y', 5), exitCode: 1 }));
    expect(summary).toMatchObject({ items_total: 5, items_stored: 2 });
    const stored = await history.get('y');
    expect(stored?.report?.items).toHaveLength(2);
    expect(stored?.report?.summary.failed).toBe(5);
  });
});

describe('createRunHistory: per kind', () => {
  it('keeps the last N runs of each kind, so a flood of one kind never pushes another out', async () => {
    const history = createRunHistory(redis, { keyPrefix, limit: 3 });
    await history.record(run('nightly', 1_000, { kind: 'nightly-sync', trigger: 'schedule' }));
    for (let i = 0; i < 10; i += 1) await history.record(run(`r${i}`, 2_000 + i, { kind: 'reconcile' }));
    expect((await history.list(undefined, { kind: 'nightly-sync' })).map((r) => r.run_id)).toEqual(['nightly']);
    expect((await history.list(undefined, { kind: 'reconcile' })).map((r) => r.run_id)).toEqual(['r9', 'r8', 'r7']);
    expect((await history.list()).map((r) => r.run_id)).toEqual(['r9', 'r8', 'r7', 'nightly']);
    expect((await history.list(2)).map((r) => r.run_id)).toEqual(['r9', 'r8']);
    expect(await history.get('r0')).toBeNull();
    expect(await redis.exists(`${keyPrefix}run:r0`)).toBe(0);
  });

  it('refuses a kind that is not a run kind', async () => {
    const history = createRunHistory(redis, { keyPrefix, limit: 3 });
    // @ts-expect-error -- not a run kind, on purpose
    await expect(history.record(run('x', 1_000, { kind: 'bogus' }))).rejects.toThrow(/unknown run kind "bogus"/);
  });

  it('keeps the retry records with their run and deletes them when the run is trimmed', async () => {
    const history = createRunHistory(redis, { keyPrefix, limit: 1 });
    const records = [{ external_id: 'us-east-C1', line: 2, values: { account_id: 'C1', region: 'us-east' } }];
    const summary = await history.record(
      run('a', 1_000, { report: report('a', 1), exitCode: 1, retryRecords: records }),
    );
    expect(summary.retry_records).toBe(1);
    expect(await history.retryRecords('a')).toEqual(records);
    expect(await history.retryRecords('unknown')).toBeNull();
    await history.record(run('b', 2_000, { retryOf: 'a' }));
    expect(await history.retryRecords('a')).toBeNull();
    expect(await redis.exists(`${keyPrefix}run:a`)).toBe(0);
    expect((await history.get('b'))?.summary.retry_of).toBe('a');
  });

  it('moves a history kept in one index (before kinds had their own) into the kinds', async () => {
    const old = {
      run_id: 'old',
      kind: 'nightly-sync',
      trigger: 'schedule',
      job_id: null,
      source: null,
      started_at: new Date(500).toISOString(),
      finished_at: new Date(600).toISOString(),
      duration_ms: 100,
      counts: null,
      result: 'error',
      exit_code: 1,
      error: null,
      items_total: 0,
      items_stored: 0,
    };
    await redis.hset(`${keyPrefix}run:old`, 'summary', JSON.stringify(old), 'report', 'null');
    await redis.zadd(`${keyPrefix}runs`, 500, 'old');
    const history = createRunHistory(redis, { keyPrefix, limit: 3 });
    await history.record(run('new', 1_000, { kind: 'reconcile' }));
    expect((await history.list(undefined, { kind: 'nightly-sync' })).map((r) => r.run_id)).toEqual(['old']);
    expect(await redis.exists(`${keyPrefix}runs`)).toBe(0);
    expect((await history.get('old'))?.summary).toMatchObject({ retry_of: null, retry_records: 0 });
  });
});
