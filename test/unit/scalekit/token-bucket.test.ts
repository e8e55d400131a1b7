import { describe, expect, it } from 'vitest';
import { createTokenBucket, unlimitedBudget } from '../../../src/scalekit/token-bucket.js';
import { createVirtualClock } from './virtual-clock.js';

/** Starts `count` acquires at once and records the virtual time at which each one is granted. */
function acquireAll(
  bucket: ReturnType<typeof createTokenBucket>,
  clock: ReturnType<typeof createVirtualClock>,
  count: number,
) {
  const grantedAt: number[] = [];
  const done = Promise.all(
    Array.from({ length: count }, (_, i) => bucket.acquire().then(() => (grantedAt[i] = clock.now()))),
  );
  return { grantedAt, done };
}

describe('createTokenBucket', () => {
  it('spaces requests 1000 / ratePerSecond ms apart, in call order', async () => {
    const clock = createVirtualClock(1_000);
    const bucket = createTokenBucket({ ratePerSecond: 4, now: clock.now, sleep: clock.sleep });
    const { grantedAt, done } = acquireAll(bucket, clock, 4);
    await clock.advance(1_000);
    await done;
    expect(grantedAt).toEqual([1_000, 1_250, 1_500, 1_750]);
    expect(bucket.waitedMs).toBe(250 + 500 + 750);
  });

  it('lets `burst` requests through at once after an idle spell', async () => {
    const clock = createVirtualClock();
    const bucket = createTokenBucket({ ratePerSecond: 10, burst: 3, now: clock.now, sleep: clock.sleep });
    const { grantedAt, done } = acquireAll(bucket, clock, 5);
    await clock.advance(1_000);
    await done;
    expect(grantedAt).toEqual([0, 0, 0, 100, 200]);
  });

  it('never exceeds the rate over a long run', async () => {
    const clock = createVirtualClock();
    const bucket = createTokenBucket({ ratePerSecond: 50, now: clock.now, sleep: clock.sleep });
    const { grantedAt, done } = acquireAll(bucket, clock, 200);
    await clock.advance(10_000);
    await done;
    const inFirstSecond = grantedAt.filter((t) => t < 1_000).length;
    expect(inFirstSecond).toBe(50);
    expect(Math.max(...grantedAt)).toBe(199 * 20);
  });

  it('pause holds new callers and those already waiting', async () => {
    const clock = createVirtualClock();
    const bucket = createTokenBucket({ ratePerSecond: 10, now: clock.now, sleep: clock.sleep });
    const { grantedAt, done } = acquireAll(bucket, clock, 3);
    await clock.advance(50); // first granted at 0; the others wait for 100 and 200
    bucket.pause(1_000); // until 1050
    const late = bucket.acquire().then(() => clock.now());
    await clock.advance(5_000);
    await done;
    expect(grantedAt[0]).toBe(0);
    expect(grantedAt[1]).toBeGreaterThanOrEqual(1_050);
    expect(grantedAt[2]).toBeGreaterThanOrEqual(1_050);
    expect(await late).toBeGreaterThanOrEqual(1_050);
    // Still paced after the pause.
    const times = [grantedAt[1] ?? 0, grantedAt[2] ?? 0, await late].sort((a, b) => a - b);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(100);
    expect((times[2] ?? 0) - (times[1] ?? 0)).toBeGreaterThanOrEqual(100);
  });

  it('rejects with the signal reason when aborted while waiting', async () => {
    const clock = createVirtualClock();
    const bucket = createTokenBucket({ ratePerSecond: 1, now: clock.now, sleep: clock.sleep });
    await bucket.acquire();
    const controller = new AbortController();
    const waiting = bucket.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    await expect(bucket.acquire(AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
  });

  it('refuses nonsense options at construction', () => {
    expect(() => createTokenBucket({ ratePerSecond: 0 })).toThrow(/ratePerSecond/);
    expect(() => createTokenBucket({ ratePerSecond: Number.NaN })).toThrow(/ratePerSecond/);
    expect(() => createTokenBucket({ ratePerSecond: 1, burst: 0 })).toThrow(/burst/);
  });
});

describe('unlimitedBudget', () => {
  it('never waits, and still honours an aborted signal', async () => {
    await unlimitedBudget.acquire();
    unlimitedBudget.pause(1_000);
    await unlimitedBudget.acquire();
    expect(unlimitedBudget.waitedMs).toBe(0);
    await expect(unlimitedBudget.acquire(AbortSignal.abort(new Error('no')))).rejects.toThrow('no');
  });
});
