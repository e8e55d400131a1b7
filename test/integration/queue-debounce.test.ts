import { setTimeout as pace } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { connectScalekit } from '../../src/app.js';
import { runEnqueueCommand } from '../../src/commands/enqueue.js';
import { createQueueTestEnv, type QueueTestEnv } from './queue-env.js';
import { captureIo, completedJob, pollUntil } from './queue-helpers.js';

// Item 4 of issue 10: reconciles are debounced per external ID (ORGSYNC_RECONCILE_DELAY_MS), and a
// delivery that arrives while its reconcile runs is applied by a follow-up job, named in the answer.

let t: QueueTestEnv | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function env(delayMs: number): Promise<QueueTestEnv> {
  t = await createQueueTestEnv({ env: { ORGSYNC_RECONCILE_DELAY_MS: String(delayMs) } });
  return t;
}

const whole = (accountId: string, name: string) => ({
  account: { account_id: accountId, region: 'us-east', display_name: name, billing_plan: 'pro' },
  occurred_at: new Date().toISOString(),
  trigger: 'webhook' as const,
});

describe('reconcile debounce', () => {
  it('holds a reconcile for the delay; later deliveries join it (same job) and the newest one is applied once', async () => {
    const q = await env(400);
    const producer = q.producer();
    const answers = [];
    for (let i = 1; i <= 5; i += 1) answers.push(await producer.enqueue('reconcile', whole('D1', `Name ${i}`)));
    const [first, ...rest] = answers;
    if (!first) throw new Error('no answer');
    expect(first.deduplicated).toBe(false);
    for (const answer of rest) expect(answer).toEqual({ jobId: first.jobId, deduplicated: true });
    expect(await q.queue.getJobState(first.jobId)).toBe('delayed');
    expect(await q.queue.getJobCountByTypes('waiting', 'delayed', 'active')).toBe(1);

    await q.startWorker();
    await completedJob(q.queue, first.jobId, 'the debounced reconcile');
    expect(q.emulator.store.getByExternalId('us-east-D1')?.display_name).toBe('Name 5');
    expect(q.emulator.counters().writes).toEqual({ create: 1, update: 0, delete: 0 });
  });

  it('runs a delivery that arrives while its reconcile is active afterwards, under the job ID it was answered with', async () => {
    const q = await env(50);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let jobs = 0;
    let blocked = false;
    await q.startWorker({
      connectScalekit: (config, logger, options) => {
        const connection = connectScalekit(config, logger, options);
        jobs += 1;
        if (jobs > 1) return connection;
        const createOrganization: typeof connection.api.createOrganization = async (input, opts) => {
          blocked = true;
          await gate;
          return connection.api.createOrganization(input, opts);
        };
        return { ...connection, api: { ...connection.api, createOrganization } };
      },
    });
    const producer = q.producer();
    const running = await producer.enqueue('reconcile', whole('D2', 'First'));
    await pollUntil('the first reconcile to be writing', () => blocked);
    expect(await q.queue.getJobState(running.jobId)).toBe('active');

    const during = await producer.enqueue('reconcile', whole('D2', 'Second'));
    const again = await producer.enqueue('reconcile', whole('D2', 'Third'));
    expect(during).toEqual({ jobId: expect.any(String), deduplicated: false, runsAfter: running.jobId });
    expect(during.jobId).not.toBe(running.jobId);
    expect(again).toEqual({ jobId: during.jobId, deduplicated: true, runsAfter: running.jobId });
    // `enqueue --wait` follows the follow-up, which exists only once the running job ends.
    const cli = captureIo(q.env);
    const waited = runEnqueueCommand(
      {
        kind: 'reconcile',
        flags: { accountId: 'D2', region: 'us-east', displayName: 'Fourth', wait: true, queue: q.queueName },
      },
      cli.io,
    );
    await pollUntil('the CLI to be answered', () => cli.out().includes('runs after it'));

    release();
    await completedJob(q.queue, running.jobId, 'the first reconcile');
    await completedJob(q.queue, during.jobId, 'the follow-up reconcile');
    expect(await waited).toBe(0);
    expect(cli.out()).toContain(`job ${during.jobId} runs after it`);
    expect(q.emulator.store.getByExternalId('us-east-D2')?.display_name).toBe('Fourth');
  });

  it('does not let a steady stream of deliveries postpone the reconcile forever', async () => {
    const q = await env(200);
    await q.startWorker();
    const producer = q.producer();
    // Deliveries are paced like a real stream, one every 50 ms (well inside the 200 ms delay); the
    // loop stops at the first recorded run, and fails if none comes while the stream goes on.
    let sent = 0;
    for (; sent < 200; sent += 1) {
      await producer.enqueue('reconcile', whole('D3', `Revision ${sent}`));
      if ((await q.history.list()).length > 0) break;
      await pace(50);
    }
    expect(sent).toBeLessThan(200);
    expect(q.emulator.store.getByExternalId('us-east-D3')).toBeDefined();
  });
});
