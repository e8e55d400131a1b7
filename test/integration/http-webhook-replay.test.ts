import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { toReconcilePayload, type EnqueueReconcile } from '../../src/http/webhooks/reconcile-request.js';
import { createRedisReplayGuard, type ReplayGuard } from '../../src/store/replay-guard.js';
import { WEBHOOK_TOLERANCE_SECONDS } from '../../src/http/webhooks/webhook-verifier.js';
import { createProducer, type Producer } from '../../src/app/producer.js';
import { ACCOUNTS_SECRET, RULES, signedHeaders } from '../unit/http/server-fixture.js';
import { REDIS_URL, deleteKeys, pollUntil, testName, testRedis } from './queue-helpers.js';

let redis: Redis;
let queueName: string;
let keyPrefix: string;
let producer: Producer;
let queue: Queue;
const apps: FastifyInstance[] = [];

beforeEach(() => {
  queueName = testName();
  keyPrefix = `orgsync-test:${queueName}:`;
  redis = testRedis();
  producer = createProducer({ redisUrl: REDIS_URL, queueName, logger: pino({ level: 'silent' }) });
  queue = new Queue(queueName, { connection: redis });
});

afterEach(async () => {
  for (const app of apps.splice(0)) {
    app.server.closeAllConnections();
    await app.close();
  }
  await producer.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await deleteKeys(redis, keyPrefix);
  await redis.quit();
});

async function serve(replayGuard: ReplayGuard, enqueueReconcile: EnqueueReconcile): Promise<string> {
  const app = await createHttpServer({
    logger: pino({ level: 'silent' }),
    metrics: createHttpMetrics(),
    readiness: async () => ({ ready: true, checks: {} }),
    webhooks: {
      accountsSecret: ACCOUNTS_SECRET,
      scalekitSecret: undefined,
      replayGuard,
      rules: RULES,
      enqueueReconcile,
    },
  });
  apps.push(app);
  return app.listen({ host: '127.0.0.1', port: 0 });
}

const realEnqueue: EnqueueReconcile = (request) => producer.enqueue('reconcile', toReconcilePayload(request));

function accountEvent(accountId: string): string {
  return JSON.stringify({
    type: 'account.upserted',
    occurred_at: new Date().toISOString(),
    account: { account_id: accountId, region: 'us-east' },
  });
}

describe('the replay guard on real Redis', () => {
  it('remembers a webhook-id until its timestamp can no longer verify, plus a margin', async () => {
    const guard = createRedisReplayGuard(redis, { keyPrefix, toleranceSeconds: WEBHOOK_TOLERANCE_SECONDS });
    const nowSeconds = Math.floor(Date.now() / 1000);
    const ahead = nowSeconds + WEBHOOK_TOLERANCE_SECONDS;
    expect(await guard.claim('accounts', 'msg_ahead', ahead)).toBe(true);
    expect(await guard.claim('accounts', 'msg_ahead', ahead)).toBe(false);
    // Replayed 600 s later the timestamp still verifies (it is then exactly 300 s old): the id must outlive that.
    const expiresAt = await redis.expiretime(`${keyPrefix}webhook-id:accounts:msg_ahead`);
    expect(expiresAt).toBeGreaterThan(ahead + WEBHOOK_TOLERANCE_SECONDS);
    expect(expiresAt).toBe(ahead + WEBHOOK_TOLERANCE_SECONDS + 60);

    const old = nowSeconds - WEBHOOK_TOLERANCE_SECONDS;
    await guard.claim('accounts', 'msg_old', old);
    expect(await redis.expiretime(`${keyPrefix}webhook-id:accounts:msg_old`)).toBe(
      old + WEBHOOK_TOLERANCE_SECONDS + 60,
    );
    expect(await guard.seen('accounts', 'msg_old')).toBe(true);
    expect(await guard.seen('scalekit', 'msg_old')).toBe(false);
  });

  it('keeps a delivery stamped 5 minutes ahead out for 10 minutes and more, through the service', async () => {
    const url = await serve(
      createRedisReplayGuard(redis, { keyPrefix, toleranceSeconds: WEBHOOK_TOLERANCE_SECONDS }),
      realEnqueue,
    );
    const body = accountEvent('CUST-AHEAD');
    const at = new Date(Date.now() + 299_000);
    const headers = signedHeaders(ACCOUNTS_SECRET, body, { id: 'msg_future', at });
    expect((await fetch(`${url}/webhooks/accounts`, { method: 'POST', headers, body })).status).toBe(202);
    const expiresAt = await redis.expiretime(`${keyPrefix}webhook-id:accounts:msg_future`);
    expect(expiresAt).toBeGreaterThan(Math.floor(at.getTime() / 1000) + WEBHOOK_TOLERANCE_SECONDS);
  });

  it('leaves the webhook-id free when the service dies while enqueueing: the retry is queued, not "replayed"', async () => {
    const guard = createRedisReplayGuard(redis, { keyPrefix, toleranceSeconds: WEBHOOK_TOLERANCE_SECONDS });
    let entered = false;
    const hangs: EnqueueReconcile = () => {
      entered = true;
      return new Promise(() => undefined);
    };
    const dying = await serve(guard, hangs);
    const body = accountEvent('CUST-CRASH');
    const headers = signedHeaders(ACCOUNTS_SECRET, body, { id: 'msg_crash' });
    const lost = fetch(`${dying}/webhooks/accounts`, { method: 'POST', headers, body }).catch(
      (error: unknown) => error,
    );
    await pollUntil('the enqueue to start', () => entered, 5_000, 5);
    // The "crash": every connection cut while the enqueue is in flight.
    const app = apps.pop();
    app?.server.closeAllConnections();
    await app?.close();
    expect(await lost).toBeInstanceOf(Error);
    expect(await redis.exists(`${keyPrefix}webhook-id:accounts:msg_crash`)).toBe(0);

    const restarted = await serve(guard, realEnqueue);
    const retry = await fetch(`${restarted}/webhooks/accounts`, { method: 'POST', headers, body });
    expect(retry.status).toBe(202);
    const { job_id: jobId } = (await retry.json()) as { job_id: string };
    expect((await queue.getJob(jobId))?.data.account).toEqual({ account_id: 'CUST-CRASH', region: 'us-east' });
    const copy = await fetch(`${restarted}/webhooks/accounts`, { method: 'POST', headers, body });
    expect(await copy.json()).toEqual({ replayed: true });
  });
});
