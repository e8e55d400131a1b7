import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedisSentinel, type TestRedisSentinel } from '../helpers/redis-sentinel.js';
import { busiestSecond, createRedisModeEnv, duplicatedExternalIds, type RedisModeEnv } from './redis-mode-env.js';
import { pollUntil } from './queue-helpers.js';

/**
 * Sentinel (ORGSYNC_REDIS_MODE=sentinel): one master, one replica and one sentinel started for this
 * file. REDIS_URL names the sentinel, ORGSYNC_REDIS_SENTINEL_NAME the master; a failover in the
 * middle of a bulk import must lose no row.
 */
let sentinel: TestRedisSentinel;
let t: RedisModeEnv | undefined;

beforeAll(async () => {
  sentinel = await startRedisSentinel();
}, 90_000);

afterAll(async () => {
  await sentinel?.stop();
});

afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('orgsync behind Redis Sentinel', () => {
  it('finishes a bulk import with 2 workers across a failover: every organization exactly once, the rate budget held', async () => {
    const rate = 100;
    t = await createRedisModeEnv(
      {
        ORGSYNC_REDIS_MODE: 'sentinel',
        REDIS_URL: sentinel.redisUrl,
        ORGSYNC_REDIS_SENTINEL_NAME: sentinel.masterName,
      },
      { ORGSYNC_RATE_LIMIT: String(rate) },
    );
    const before = await sentinel.masterPort();
    await Promise.all([t.startWorker({ concurrency: 2 }), t.startWorker({ concurrency: 2 })]);
    const rows = 600;
    const jobId = await t.enqueueImport(rows, 100);
    await pollUntil(
      'the import to be under way',
      () => t!.emulator.store.snapshot().organizations.length >= 100,
      60_000,
    );
    const after = await sentinel.failover();
    expect(after).not.toBe(before);
    // The import was still running when the master changed.
    expect(t.emulator.store.snapshot().organizations.length).toBeLessThan(rows);

    const result = await t.importResult(jobId, 120_000);
    expect(result.summary).toMatchObject({ accounts: rows, failed: 0 });
    expect(t.emulator.store.snapshot().organizations).toHaveLength(rows);
    expect(duplicatedExternalIds(t.emulator)).toEqual([]);
    expect(busiestSecond(t.requestTimes)).toBeLessThanOrEqual(rate * 1.1);
    // The connection of the configured mode now writes to the new master.
    expect(await t.redis.set(`orgsync:${t.queueName}:probe`, '1')).toBe('OK');
  }, 180_000);
});
