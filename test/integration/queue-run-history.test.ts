import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queueKeyPrefix } from '../../src/store/redis-connections.js';
import { readNoopCount } from '../../src/store/reconcile-noops.js';
import { createQueueTestEnv, type QueueTestEnv } from './queue-env.js';
import { accountsCsv, completedJob, pollUntil } from './queue-helpers.js';

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
