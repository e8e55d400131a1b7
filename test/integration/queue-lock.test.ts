import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedisLock, LockTimeoutError, type RedisLock } from '../../src/store/redis-lock.js';
import { realSleep } from '../../src/scalekit/sleep.js';
import { deleteKeys, pollUntil, testName, testRedis } from './queue-helpers.js';

let connections: Redis[] = [];
let keyPrefix: string;

beforeEach(() => {
  keyPrefix = `${testName()}:`;
});

afterEach(async () => {
  const cleaner = connections[0];
  if (cleaner) await deleteKeys(cleaner, keyPrefix);
  await Promise.all(connections.map((c) => c.quit()));
  connections = [];
});

/** A lock as one process sees it, counting how often it waited for the lock. */
function lockOfProcess(options: { ttlMs?: number; waitTimeoutMs?: number } = {}): {
  lock: RedisLock;
  waits: () => number;
} {
  const redis = testRedis();
  connections.push(redis);
  let waits = 0;
  const lock = createRedisLock({
    redis,
    scope: 'https://acme.example.test',
    keyPrefix,
    ...options,
    sleep: (ms, signal) => {
      waits += 1;
      return realSleep(ms, signal);
    },
  });
  return { lock, waits: () => waits };
}

function gate(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('the Redis lock', () => {
  it('keeps two concurrent writers of one organization apart', async () => {
    const [a, b] = [lockOfProcess(), lockOfProcess()];
    const events: string[] = [];
    const release = gate();
    const first = a.lock.exclusive('us-east-C1', async () => {
      events.push('a in');
      await release.opened;
      events.push('a out');
    });
    await pollUntil('a to hold the lock', () => events.includes('a in'));
    const second = b.lock.exclusive('us-east-C1', async () => void events.push('b in'));
    await pollUntil('b to wait a few times', () => b.waits() >= 3);
    expect(events).toEqual(['a in']);
    release.open();
    await Promise.all([first, second]);
    expect(events).toEqual(['a in', 'a out', 'b in']);
  });

  it('lets different organizations proceed at once', async () => {
    const [a, b] = [lockOfProcess(), lockOfProcess()];
    const release = gate();
    const inside: string[] = [];
    const first = a.lock.exclusive('us-east-C1', async () => {
      inside.push('C1');
      await release.opened;
    });
    await pollUntil('a to hold C1', () => inside.includes('C1'));
    await b.lock.exclusive('us-east-C2', async () => void inside.push('C2'));
    expect(inside).toEqual(['C1', 'C2']);
    release.open();
    await first;
  });

  it('renews a lock held longer than its TTL', async () => {
    const ttlMs = 300;
    const [a, b] = [lockOfProcess({ ttlMs }), lockOfProcess({ ttlMs })];
    const release = gate();
    let enteredAt = 0;
    let bEntered = false;
    const first = a.lock.exclusive('k', async () => {
      enteredAt = Date.now();
      await release.opened;
    });
    await pollUntil('a to hold the lock', () => enteredAt > 0);
    const second = b.lock.exclusive('k', async () => {
      bEntered = true;
    });
    await pollUntil('three TTLs to pass', () => Date.now() - enteredAt > 3 * ttlMs);
    expect(bEntered).toBe(false);
    release.open();
    await Promise.all([first, second]);
    expect(bEntered).toBe(true);
  });

  it('gives up after the wait deadline with LockTimeoutError', async () => {
    const [a, b] = [lockOfProcess(), lockOfProcess({ waitTimeoutMs: 150 })];
    const release = gate();
    let held = false;
    const first = a.lock.exclusive('k', async () => {
      held = true;
      await release.opened;
    });
    await pollUntil('a to hold the lock', () => held);
    await expect(b.lock.exclusive('k', async () => 'never')).rejects.toBeInstanceOf(LockTimeoutError);
    release.open();
    await first;
  });

  it('releases the lock when the work throws', async () => {
    const [a, b] = [lockOfProcess(), lockOfProcess({ waitTimeoutMs: 500 })];
    await expect(a.lock.exclusive('k', async () => Promise.reject(new Error('write failed')))).rejects.toThrow(
      'write failed',
    );
    await expect(b.lock.exclusive('k', async () => 'ok')).resolves.toBe('ok');
  });
});
