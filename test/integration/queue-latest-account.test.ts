import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queueKeyPrefix } from '../../src/store/redis-connections.js';
import { readCallCounts } from '../../src/store/call-counter.js';
import { createQueueTestEnv, type QueueTestEnv } from './queue-env.js';
import { pollUntil } from './queue-helpers.js';

let t: QueueTestEnv;

beforeEach(async () => {
  t = await createQueueTestEnv();
});

afterEach(async () => {
  await t.close();
});

const account = (name: string) => ({ account_id: 'L1', region: 'us-east', display_name: name, billing_plan: 'pro' });

describe('a burst of whole-account webhooks for one account', () => {
  it('is deduplicated into one waiting reconcile that applies the newest delivery', async () => {
    const producer = t.producer();
    // No worker yet: the first reconcile waits, the later deliveries join it.
    const first = await producer.enqueue('reconcile', {
      account: account('Name 1'),
      occurred_at: '2026-11-28T10:00:01Z',
      trigger: 'webhook',
    });
    const second = await producer.enqueue('reconcile', {
      account: account('Name 3'),
      occurred_at: '2026-11-28T10:00:03Z',
      trigger: 'webhook',
    });
    // Delivered late, but older: it must not win.
    const third = await producer.enqueue('reconcile', {
      account: account('Name 2'),
      occurred_at: '2026-11-28T10:00:02Z',
      trigger: 'webhook',
    });
    expect(second).toEqual({ jobId: first.jobId, deduplicated: true });
    expect(third.deduplicated).toBe(true);

    const worker = await t.startWorker();
    await pollUntil(
      'the reconcile to complete',
      async () => (await (await t.queue.getJob(first.jobId))?.getState()) === 'completed',
    );
    expect(t.emulator.store.getByExternalId('us-east-L1')?.display_name).toBe('Name 3');
    expect(t.emulator.counters().writes).toEqual({ create: 1, update: 0, delete: 0 });

    // The worker's Scalekit calls reach Redis for /metrics (flushed at the latest when it closes).
    await worker.close({ deadlineMs: 5_000 });
    const calls = await readCallCounts(t.redis, queueKeyPrefix(t.queueName));
    expect(calls).toContainEqual(
      expect.objectContaining({ method: 'POST', route: '/api/v1/organizations', status: '201', count: 1 }),
    );
  });
});
