import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidPayloadError } from '../../src/job-errors.js';
import { createProducer, type Producer } from '../../src/app/producer.js';
import { REDIS_URL, testName, testRedis } from './queue-helpers.js';

let queueName: string;
let producer: Producer;
let redis: Redis;
let queue: Queue;

beforeEach(() => {
  queueName = testName();
  producer = createProducer({ redisUrl: REDIS_URL, queueName, logger: pino({ level: 'silent' }) });
  redis = testRedis();
  queue = new Queue(queueName, { connection: redis });
});

afterEach(async () => {
  await producer.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await redis.quit();
});

describe('the producer', () => {
  it('enqueues a reconcile once while an equal one is waiting', async () => {
    const first = await producer.enqueue('reconcile', {
      account: { account_id: 'C-1', region: 'us-east' },
      trigger: 'webhook',
    });
    const second = await producer.enqueue('reconcile', {
      account: { account_id: 'C-1', region: ' US-East ' },
      trigger: 'webhook',
    });
    const other = await producer.enqueue('reconcile', { external_id: 'us-east-C-2' });
    expect(first.deduplicated).toBe(false);
    expect(second).toEqual({ jobId: first.jobId, deduplicated: true });
    expect(other.deduplicated).toBe(false);
    expect(await queue.getDelayedCount()).toBe(2); // ORGSYNC_RECONCILE_DELAY_MS, 1 s by default
    const job = await queue.getJob(first.jobId);
    expect(job?.data).toEqual({
      account: { account_id: 'C-1', region: 'us-east' },
      occurred_at: expect.any(String),
      trigger: 'webhook',
    });
    expect(job?.opts.attempts).toBe(5);
    expect(job?.opts.removeOnComplete).toEqual({ age: 86_400, count: 1_000 });
  });

  it('refuses a payload that fails its schema, naming the problem, and enqueues nothing', async () => {
    await expect(producer.enqueue('reconcile', { org_id: 'org_1', external_id: 'us-east-C-1' })).rejects.toThrow(
      /exactly one of account, org_id and external_id/,
    );
    const refused = producer.enqueue('reconcile', { account: { account_id: '', region: 'us-east' } });
    await expect(refused).rejects.toBeInstanceOf(InvalidPayloadError);
    await expect(refused).rejects.toThrow(/account\.account_id/);
    expect(await queue.getJobCountByTypes('waiting', 'delayed')).toBe(0);
  });

  it('fails fast when Redis is unreachable', async () => {
    const offline = createProducer({ redisUrl: 'redis://127.0.0.1:1', queueName, logger: pino({ level: 'silent' }) });
    await expect(offline.enqueue('nightly-sync', { trigger: 'cli' })).rejects.toThrow(
      /cannot connect to Redis at redis:\/\/127\.0\.0\.1:1/,
    );
    await offline.close();
  });
});
