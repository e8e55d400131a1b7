import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRunsCommand } from '../../src/commands/runs.js';
import { runSyncCommand } from '../../src/commands/sync-command.js';
import { buildReport } from '../../src/engine/report.js';
import { DEFAULT_QUEUE_NAME, queueKeyPrefix } from '../../src/store/redis-connections.js';
import { RUN_KINDS, type RunKind } from '../../src/store/run-history.js';
import { readNoopCount } from '../../src/store/reconcile-noops.js';
import { createQueueTestEnv, type QueueTestEnv } from './queue-env.js';
import { accountsCsv, captureIo, completedJob, pollUntil } from './queue-helpers.js';

const ACCOUNTS = 200;
let t: QueueTestEnv;

beforeEach(async () => {
  // A history of 5 runs per kind: 200 recorded reconciles would push anything out of one shared list.
  t = await createQueueTestEnv({ env: { ORGSYNC_RUN_HISTORY: '5', ORGSYNC_RECONCILE_DELAY_MS: '0' } });
  const hostCsv = join(t.dir, 'host.csv');
  await writeFile(hostCsv, accountsCsv(ACCOUNTS));
  t.config.source = `csv:${hostCsv}`;
  await t.startWorker({ concurrency: 8 });
});

afterEach(async () => {
  await t.close();
});

const account = (i: number) => ({
  account_id: `C${String(i).padStart(5, '0')}`,
  region: 'us-east',
  display_name: `Company ${i}`,
  billing_plan: 'pro',
});

describe('the run history under webhook traffic', () => {
  it('keeps the nightly sync first under its kind after 200 reconciles that changed nothing, which it counts instead of recording', async () => {
    const producer = t.producer();
    const nightly = await producer.enqueue('nightly-sync', { trigger: 'cli' });
    await completedJob(t.queue, nightly.jobId, 'the nightly sync', 60_000);
    const [nightlyRun] = await t.history.list(undefined, { kind: 'nightly-sync' });
    expect(nightlyRun).toMatchObject({ kind: 'nightly-sync', result: 'ok', counts: { create: ACCOUNTS } });

    for (let i = 1; i <= ACCOUNTS; i += 1)
      await producer.enqueue('reconcile', { account: account(i), trigger: 'webhook' });
    const keyPrefix = queueKeyPrefix(t.queueName);
    await pollUntil(
      '200 no-op reconciles counted',
      async () => (await readNoopCount(t.redis, keyPrefix)) === ACCOUNTS,
      90_000,
    );

    expect((await t.history.list(undefined, { kind: 'nightly-sync' }))[0]?.run_id).toBe(nightlyRun?.run_id);
    expect(await t.history.list(undefined, { kind: 'reconcile' })).toEqual([]);
    expect((await t.history.list())[0]?.run_id).toBe(nightlyRun?.run_id);

    // A reconcile that changes something is a run, kept under its own kind.
    const changed = await producer.enqueue('reconcile', {
      account: { ...account(1), display_name: 'Renamed' },
      trigger: 'webhook',
    });
    await completedJob(t.queue, changed.jobId, 'the changing reconcile');
    expect((await t.history.list(undefined, { kind: 'reconcile' })).map((r) => r.counts?.update)).toEqual([1]);
    expect((await t.history.list(undefined, { kind: 'nightly-sync' }))[0]?.run_id).toBe(nightlyRun?.run_id);
    expect(await readNoopCount(t.redis, keyPrefix)).toBe(ACCOUNTS);
  });
});

async function recordRun(runId: string, kind: RunKind, startedAtMs: number): Promise<void> {
  const startedAt = new Date(startedAtMs);
  const report = buildReport({
    runId,
    mode: 'apply',
    scope: 'partial',
    source: 'csv:x.csv',
    startedAt,
    accounts: 1,
    unchanged: 1,
    items: [],
    apiCalls: 1,
  });
  await t.history.record({ runId, kind, trigger: 'cli', startedAt, finishedAt: startedAt, report, exitCode: 0 });
}

describe('orgsync runs --kind', () => {
  it('lists the runs of one kind only, and refuses an unknown kind naming the kinds', async () => {
    await recordRun('n-1', 'nightly-sync', 1_000);
    await recordRun('r-1', 'reconcile', 2_000);
    await recordRun('r-2', 'reconcile', 3_000);
    const nightly = captureIo(t.env);
    expect(await runRunsCommand({ flags: { queue: t.queueName, kind: 'nightly-sync', json: true } }, nightly.io)).toBe(
      0,
    );
    expect((JSON.parse(nightly.out()) as { run_id: string }[]).map((r) => r.run_id)).toEqual(['n-1']);
    const table = captureIo(t.env);
    expect(await runRunsCommand({ flags: { queue: t.queueName, kind: 'reconcile' } }, table.io)).toBe(0);
    expect(table.out()).toContain('r-2');
    expect(table.out()).not.toContain('n-1');
    await expect(
      runRunsCommand({ flags: { queue: t.queueName, kind: 'nightly' } }, captureIo(t.env).io),
    ).rejects.toThrow(`--kind: unknown run kind "nightly"; expected one of ${RUN_KINDS.join(', ')}`);
  });
});

describe('orgsync apply with REDIS_URL set', () => {
  it('records the run as cli-apply in the run history, with the records of its failed items', async () => {
    const csv = join(t.dir, 'apply.csv');
    await writeFile(csv, accountsCsv(4));
    t.emulator.injectFault({ method: 'POST', route: '/api/v1/organizations', kind: 'http-503', count: 6 });
    const { io, out } = captureIo({ ...t.env, ORGSYNC_CONCURRENCY: '1' });
    const code = await runSyncCommand('apply', undefined, { source: `csv:${csv}` }, io);
    expect(code).toBe(1);
    const runId = /Recorded in the run history as run (\S+) /.exec(out())?.[1] ?? '';
    // ORGSYNC_QUEUE (in t.env) says which queue's history the run goes into: this test's own.
    const history = t.history;
    const stored = await history.get(runId);
    expect(stored?.summary).toMatchObject({ kind: 'cli-apply', trigger: 'cli', result: 'failed' });
    const failed = stored?.report?.items.filter((i) => i.action === 'failed').map((i) => i.external_id) ?? [];
    expect(failed).toEqual(['us-east-C00001']); // its 6 attempts met the 6 faults
    expect((await history.retryRecords(runId))?.map((r) => r.external_id)).toEqual(failed);
    expect((await history.retryRecords(runId))?.[0]?.values).toMatchObject({
      region: 'us-east',
      billing_plan: 'pro',
    });
    // ... and nothing into the default queue's.
    expect(await t.redis.exists(`${queueKeyPrefix(DEFAULT_QUEUE_NAME)}run:${runId}`)).toBe(0);
  });
});
