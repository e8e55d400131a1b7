import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHttpService } from '../../src/app/http-service.js';
import { formatInstant } from '../../src/sources/instant.js';
import { createChunkProgressStore } from '../../src/store/chunk-progress.js';
import { createNoticeThrottle } from '../../src/store/notice-throttle.js';
import { createNotificationCounter, readNotificationCounts } from '../../src/store/notification-counter.js';
import { createCallCounter, readCallCounts } from '../../src/store/call-counter.js';
import { createImportStore } from '../../src/store/import-store.js';
import { createLatestAccounts } from '../../src/store/latest-accounts.js';
import { createEchoCounter, readEchoCount } from '../../src/store/reconcile-echoes.js';
import { createRedisClient, type RedisConnection } from '../../src/store/redis-client.js';
import { closeConnection } from '../../src/store/redis-connections.js';
import { queueKeyPrefix, REDIS_HASH_TAG } from '../../src/store/redis-keys.js';
import { createRedisLock } from '../../src/store/redis-lock.js';
import { createRedisRateBudget } from '../../src/store/redis-rate-budget.js';
import { createRedisReplayGuard } from '../../src/store/replay-guard.js';
import { createRunHistory } from '../../src/store/run-history.js';
import { createWatermarkStore } from '../../src/store/watermark-store.js';
import { startRedisCluster, type TestRedisCluster } from '../helpers/redis-cluster.js';
import { busiestSecond, createRedisModeEnv, duplicatedExternalIds, type RedisModeEnv } from './redis-mode-env.js';
import { pollUntil, testName } from './queue-helpers.js';

/**
 * Redis Cluster (ORGSYNC_REDIS_MODE=cluster): a real 3-master cluster started for this file.
 * Every script and multi-key command of ours must stay within one slot (the `{orgsync}` hash tag),
 * or the cluster refuses it with CROSSSLOT; BullMQ's keys carry the same tag.
 */
let cluster: TestRedisCluster;
let t: RedisModeEnv | undefined;
const open: RedisConnection[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

afterEach(async () => {
  await t?.close();
  t = undefined;
  await Promise.all(open.splice(0).map((c) => closeConnection(c)));
});

const clusterEnv = () => ({ ORGSYNC_REDIS_MODE: 'cluster', REDIS_URL: cluster.redisUrl });

function connect(): RedisConnection {
  const redis = createRedisClient({ redisUrl: cluster.redisUrl, redisMode: 'cluster' }, { maxRetriesPerRequest: 3 });
  redis.on('error', () => undefined);
  open.push(redis);
  return redis;
}

/** Every key of every master node (a cluster has no single KEYS). */
async function allKeys(): Promise<string[]> {
  const keys: string[] = [];
  for (const port of cluster.ports) {
    const node = new Redis({ host: '127.0.0.1', port });
    try {
      keys.push(...(await node.keys('*')));
    } finally {
      node.disconnect();
    }
  }
  return keys;
}

describe('orgsync on a Redis Cluster', () => {
  it('runs every store and script of ours on the cluster, every key in the {orgsync} slot', async () => {
    const redis = connect();
    expect(redis.isCluster).toBe(true);
    const name = testName();
    const keyPrefix = queueKeyPrefix(name, redis);
    expect(keyPrefix.startsWith(REDIS_HASH_TAG)).toBe(true);

    // Rate budget (ACQUIRE touches the TAT and the pause key; PAUSE), from two "processes".
    const environmentUrl = `https://${name}.example.test`;
    const budgets = [connect(), connect()].map((c) =>
      createRedisRateBudget({ redis: c, environmentUrl, ratePerSecond: 200 }),
    );
    await Promise.all(budgets.flatMap((b) => [b.acquire(), b.acquire(), b.acquire()]));
    await budgets[0]?.pause(50);
    await budgets[1]?.acquire();

    // Per-organization lock (SET NX, RENEW, RELEASE): two holders of one key never overlap.
    const lock = createRedisLock({ redis, scope: environmentUrl, ttlMs: 3_000 });
    let inside = 0;
    let overlapped = false;
    await Promise.all(
      [1, 2, 3].map(() =>
        lock.exclusive('org_1', async () => {
          inside += 1;
          overlapped ||= inside > 1;
          await new Promise((resolve) => setImmediate(resolve));
          inside -= 1;
        }),
      ),
    );
    expect(overlapped).toBe(false);

    // Replay guard.
    const guard = createRedisReplayGuard(redis, { keyPrefix, toleranceSeconds: 300 });
    const nowS = Math.floor(Date.now() / 1000);
    expect(await guard.claim('accounts', 'msg_1', nowS)).toBe(true);
    expect(await guard.claim('accounts', 'msg_1', nowS)).toBe(false);
    expect(await guard.seen('accounts', 'msg_1')).toBe(true);

    // Latest accounts (PUT_IF_NEWER).
    const latest = createLatestAccounts(redis, { keyPrefix });
    expect(
      await latest.putPushed('us-east-C1', { kind: 'account', account: { display_name: 'New' }, atMs: 2_000 }),
    ).toBe(true);
    expect(await latest.putPushed('us-east-C1', { kind: 'deleted', atMs: 1_000 })).toBe(false);
    expect(
      await latest.putObserved('us-east-C1', {
        id: 'org_1',
        external_id: 'us-east-C1',
        display_name: 'Old',
        metadata: {},
        atMs: 1_500,
      }),
    ).toBe(true);
    expect((await latest.get('us-east-C1')).pushed).toMatchObject({ kind: 'account', atMs: 2_000 });

    // Import store: manifest and chunks, then one multi-key DEL with the snapshot's keys.
    const imports = createImportStore(redis, { keyPrefix, ttlSeconds: 60 });
    const importId = testName();
    await imports.writeChunk(importId, 0, {
      columns: ['account_id', 'region', 'display_name'],
      rows: [[2, 'C1', 'us-east', 'One']],
    });
    await imports.writeManifest({
      import_id: importId,
      source: 'csv:a.csv',
      accounts: 1,
      chunks: 1,
      problems: [],
      created_at: new Date().toISOString(),
    });
    expect((await imports.readChunk(importId, 0))?.rows).toHaveLength(1);
    expect((await imports.readManifest(importId))?.chunks).toBe(1);

    // Chunk progress (HSET and EXPIRE in one pipeline), read back.
    const progress = createChunkProgressStore(redis, { keyPrefix, ttlSeconds: 60 }).of(importId, 0);
    const written = {
      external_id: 'us-east-C1',
      account_id: 'C1',
      line: 2,
      action: 'create' as const,
      org_id: 'org_1',
      changes: [],
      error: null,
    };
    await progress.record(written);
    expect([...(await progress.read()).keys()]).toEqual(['us-east-C1']);

    // Notification counter and the per-subject notice throttle.
    const notifications = createNotificationCounter(redis, { keyPrefix });
    await notifications.count('sent');
    await notifications.count('failed');
    expect(await readNotificationCounts(redis, keyPrefix)).toEqual({ sent: 1, failed: 1 });
    const throttle = createNoticeThrottle(redis, { keyPrefix, windowSeconds: 60 });
    expect(await throttle.claim('us-east-C1')).toBe(true);
    expect(await throttle.claim('us-east-C1')).toBe(false);

    // Deleting the import removes its manifest, chunks, snapshot and progress keys (one multi-key DEL).
    await imports.deleteImport(importId);
    expect(await imports.readManifest(importId)).toBeNull();
    expect((await progress.read()).size).toBe(0);

    // Call counter and echo counter.
    const calls = createCallCounter(redis, { keyPrefix, flushIntervalMs: 60_000 });
    calls.observe({ method: 'GET', routeTemplate: '/api/v1/organizations', status: 200, durationMs: 12 });
    await calls.close();
    expect(await readCallCounts(redis, keyPrefix)).toEqual([
      expect.objectContaining({ method: 'GET', route: '/api/v1/organizations', status: '200', count: 1 }),
    ]);
    await createEchoCounter(redis, { keyPrefix }).count();
    expect(await readEchoCount(redis, keyPrefix)).toBe(1);

    // Run history (MULTI and pipelines over the index and the runs).
    const history = createRunHistory(redis, { keyPrefix, limit: 2 });
    for (const runId of ['r1', 'r2', 'r3'])
      await history.record({
        runId,
        kind: 'nightly-sync',
        trigger: 'schedule',
        jobId: `job-${runId}`,
        startedAt: new Date(),
        finishedAt: new Date(),
        report: null,
        exitCode: 0,
      });
    expect((await history.list()).map((r) => r.run_id)).toEqual(['r3', 'r2']);
    expect(await history.get('r1')).toBeNull();

    // Watermarks.
    const watermarks = createWatermarkStore(redis);
    await watermarks.set(`postgres:${name}`, '2026-11-01T00:00:00.123456Z');
    const watermark = await watermarks.get(`postgres:${name}`);
    expect(watermark && formatInstant(watermark)).toBe('2026-11-01T00:00:00.123456Z');

    const keys = await allKeys();
    expect(keys.length).toBeGreaterThan(5);
    expect(keys.filter((k) => !k.startsWith(REDIS_HASH_TAG))).toEqual([]);
  });

  it('imports with 2 workers (one killed mid-import): every organization exactly once, the rate budget held', async () => {
    const rate = 100;
    t = await createRedisModeEnv(clusterEnv(), { ORGSYNC_RATE_LIMIT: String(rate) });
    const doomed = await t.startWorker({ concurrency: 2 });
    await t.startWorker({ concurrency: 2 });
    const rows = 600;
    const jobId = await t.enqueueImport(rows, 100);
    // Kill one worker once the import is well under way: its chunks' locks expire and the other takes them.
    await pollUntil(
      'a few organizations to be created',
      () => t!.emulator.store.snapshot().organizations.length >= 150,
      60_000,
    );
    await doomed.kill();
    const result = await t.importResult(jobId, 120_000);
    expect(result.summary).toMatchObject({ accounts: rows, failed: 0 });
    const orgs = t.emulator.store.snapshot().organizations;
    expect(orgs).toHaveLength(rows);
    expect(duplicatedExternalIds(t.emulator)).toEqual([]);
    expect(busiestSecond(t.requestTimes)).toBeLessThanOrEqual(rate * 1.1);
    // BullMQ's keys carry the tag too: the whole queue lives in one slot.
    expect((await allKeys()).some((k) => k.startsWith(`${REDIS_HASH_TAG}:${t!.queueName}:`))).toBe(true);
  }, 150_000);

  it('serves webhooks and /readyz on the cluster', async () => {
    t = await createRedisModeEnv(clusterEnv(), { ORGSYNC_HTTP_PORT: '0' });
    const service = await startHttpService({
      config: t.config,
      logger: pino({ level: 'silent' }),
      queueName: t.queueName,
      readiness: { cacheMs: 0, timeoutMs: 2_000 },
    });
    try {
      const ready = await fetch(`${service.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ checks: { redis: 'ok' } });
      // A reconcile goes through the debounced add (its probe script reads BullMQ's keys in one slot).
      const producer = t.producer();
      const delivery = (name: string) => ({
        account: { account_id: 'C1', region: 'us-east', display_name: name, billing_plan: 'pro' },
        occurred_at: new Date().toISOString(),
        trigger: 'webhook' as const,
      });
      const first = await producer.enqueue('reconcile', delivery('One'), { delayMs: 60_000 });
      const second = await producer.enqueue('reconcile', delivery('Two'), { delayMs: 60_000 });
      expect(second).toMatchObject({ jobId: first.jobId, deduplicated: true });
    } finally {
      await service.close();
    }
  });
});
