import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedisRateBudget, rateBudgetKeys } from '../../src/store/redis-rate-budget.js';
import type { RateBudget } from '../../src/scalekit/rate-budget.js';
import { deleteKeys, testName, testRedis } from './queue-helpers.js';

let connections: Redis[] = [];
let keyPrefix: string;
const environmentUrl = 'https://acme.example.test';

beforeEach(() => {
  keyPrefix = `${testName()}:`;
});

afterEach(async () => {
  const cleaner = connections[0];
  if (cleaner) await deleteKeys(cleaner, keyPrefix);
  await Promise.all(connections.map((c) => c.quit()));
  connections = [];
});

/** One "process": its own connection and budget instance, as a separate worker would have. */
function process(ratePerSecond: number): RateBudget {
  const redis = testRedis();
  connections.push(redis);
  return createRedisRateBudget({ redis, environmentUrl, ratePerSecond, keyPrefix });
}

describe('the Redis rate budget', () => {
  it('holds the combined rate of several processes to the budget', async () => {
    const ratePerSecond = 40;
    const processes = Array.from({ length: 4 }, () => process(ratePerSecond));
    const total = 60;
    const grantedAt: number[] = [];
    await Promise.all(
      processes.map(async (budget) => {
        // Each process keeps 3 callers waiting, like concurrent writes of several jobs.
        await Promise.all(
          [1, 2, 3].map(async () => {
            while (grantedAt.length < total) {
              await budget.acquire();
              grantedAt.push(Date.now());
            }
          }),
        );
      }),
    );
    grantedAt.sort((a, b) => a - b);
    const first = grantedAt[0] ?? 0;
    const last = grantedAt[grantedAt.length - 1] ?? 0;
    const achievedPerSecond = ((grantedAt.length - 1) * 1000) / (last - first);
    const ratio = achievedPerSecond / ratePerSecond;
    expect(ratio).toBeLessThanOrEqual(1.08);
    expect(ratio).toBeGreaterThan(0.85);
  });

  it('keeps budgets of different environments apart', () => {
    expect(rateBudgetKeys('https://a.test', 'p:').tat).not.toBe(rateBudgetKeys('https://b.test', 'p:').tat);
  });

  it('pauses every process after a 429, until the pause ends', async () => {
    const [a, b] = [process(100), process(100)];
    await b?.acquire();
    const pausedAt = Date.now();
    await a?.pause(400);
    await b?.acquire();
    const heldMs = Date.now() - pausedAt;
    expect(heldMs).toBeGreaterThanOrEqual(380);
    expect(heldMs).toBeLessThan(1_500);
    expect(b?.waitedMs).toBeGreaterThanOrEqual(350);
  });

  it('gives up waiting when the abort signal fires', async () => {
    const budget = process(10);
    await budget.pause(10_000);
    const controller = new AbortController();
    const waiting = budget.acquire(controller.signal);
    controller.abort(new Error('job cancelled'));
    await expect(waiting).rejects.toThrow('job cancelled');
  });
});
