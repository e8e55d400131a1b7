import type { RateBudget } from './rate-budget.js';
import { realSleep, type Sleep } from './sleep.js';

/** Options of `createTokenBucket`. */
export interface TokenBucketOptions {
  /** Sustained requests per second (> 0). */
  ratePerSecond: number;
  /** Requests that may go out back to back after an idle spell. Default 1 (even pacing). */
  burst?: number;
  /** Clock in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Default: a real timer. */
  sleep?: Sleep;
}

/**
 * An in-process `RateBudget` (GCRA token bucket): one request per `1000 / ratePerSecond` ms, up to
 * `burst` at once. Callers are served in the order they called `acquire`. `pause(ms)` holds every
 * caller, including those already waiting, until `ms` from now. An aborted `acquire` gives up its
 * slot without sending (the slot is not handed back).
 */
export function createTokenBucket(options: TokenBucketOptions): RateBudget {
  const { ratePerSecond } = options;
  const burst = options.burst ?? 1;
  if (!(Number.isFinite(ratePerSecond) && ratePerSecond > 0)) {
    throw new TypeError(`createTokenBucket: ratePerSecond must be a positive number, got ${ratePerSecond}`);
  }
  if (!(Number.isInteger(burst) && burst >= 1)) {
    throw new TypeError(`createTokenBucket: burst must be an integer >= 1, got ${burst}`);
  }
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const intervalMs = 1000 / ratePerSecond;
  const toleranceMs = (burst - 1) * intervalMs;
  /** Theoretical arrival time of the next request (GCRA). */
  let tatMs = -Infinity;
  let pausedUntilMs = -Infinity;
  let waitedMs = 0;

  /** Reserves the next slot and returns when it may be used. */
  function reserve(atMs: number): number {
    const sendAtMs = Math.max(atMs, tatMs - toleranceMs, pausedUntilMs);
    tatMs = Math.max(tatMs, sendAtMs) + intervalMs;
    return sendAtMs;
  }

  return {
    async acquire(signal?: AbortSignal): Promise<void> {
      if (signal?.aborted) throw signal.reason;
      const startMs = now();
      try {
        let sendAtMs = reserve(startMs);
        for (;;) {
          const waitMs = sendAtMs - now();
          if (waitMs > 0) await sleep(waitMs, signal);
          const nowMs = now();
          // A pause that began while we slept moves us behind it (and behind its queue).
          if (nowMs < pausedUntilMs) sendAtMs = reserve(nowMs);
          else if (nowMs >= sendAtMs) return;
        }
      } finally {
        waitedMs += Math.max(0, now() - startMs);
      }
    },
    pause(pauseMs: number): void {
      pausedUntilMs = Math.max(pausedUntilMs, now() + Math.max(0, pauseMs));
    },
    get waitedMs(): number {
      return waitedMs;
    },
  };
}

/** A `RateBudget` that never waits (tests, or a caller that budgets elsewhere). `pause` is a no-op. */
export const unlimitedBudget: RateBudget = {
  async acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
  },
  pause(): void {
    // Unlimited on purpose: the client still waits out its own backoff after a 429.
  },
  waitedMs: 0,
};
