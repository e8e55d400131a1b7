import type { RedisConnection as Redis } from './redis-client.js';

/**
 * Remembers which `webhook-id`s were accepted, so that a replayed delivery is acknowledged and
 * ignored. An id needs remembering only while its timestamp can still pass verification: until
 * `timestamp + tolerance`, plus a margin for clocks that disagree.
 */
export interface ReplayGuard {
  /** Whether `webhookId` was already accepted in `scope` (a route). */
  seen(scope: string, webhookId: string): Promise<boolean>;
  /**
   * Records `webhookId` as accepted in `scope` until its `webhook-timestamp` (Unix seconds) can no
   * longer verify. `false` when it already was (another copy of the delivery got there first).
   */
  claim(scope: string, webhookId: string, timestampSeconds: number): Promise<boolean>;
}

/** Default margin past `timestamp + tolerance`, in seconds: covers clocks of service instances that disagree. */
export const REPLAY_MARGIN_SECONDS = 60;

/** Options of `createRedisReplayGuard`. */
export interface RedisReplayGuardOptions {
  /** Prefix of the keys, e.g. `orgsync:orgsync:`; the guard adds `webhook-id:<scope>:<id>`. */
  keyPrefix: string;
  /** How far a `webhook-timestamp` may be from now and still verify, in seconds (the verifier's `WEBHOOK_TOLERANCE_SECONDS`). */
  toleranceSeconds: number;
  /** Seconds past `timestamp + toleranceSeconds` that an id is still remembered. Default 60. */
  marginSeconds?: number;
  /** The clock, in ms since the epoch. Default `Date.now`. */
  nowMs?: () => number;
}

/** The Unix second at which an id with this timestamp may be forgotten (never earlier than a second from now). */
export function replayExpirySeconds(
  timestampSeconds: number,
  nowMs: number,
  window: { toleranceSeconds: number; marginSeconds: number },
): number {
  return Math.max(Math.floor(nowMs / 1000) + 1, timestampSeconds + window.toleranceSeconds + window.marginSeconds);
}

/**
 * A `ReplayGuard` on Redis (`SET key 1 NX EXAT timestamp+tolerance+margin`), shared by every
 * instance of the service. A delivery stamped 5 minutes ahead is remembered for 10 minutes plus the
 * margin, one stamped 5 minutes ago for the margin only.
 */
export function createRedisReplayGuard(redis: Redis, options: RedisReplayGuardOptions): ReplayGuard {
  const marginSeconds = options.marginSeconds ?? REPLAY_MARGIN_SECONDS;
  if (!(Number.isInteger(marginSeconds) && marginSeconds >= 0))
    throw new RangeError(`marginSeconds must be a whole number of seconds >= 0, got ${marginSeconds}`);
  const nowMs = options.nowMs ?? Date.now;
  const keyOf = (scope: string, webhookId: string): string => `${options.keyPrefix}webhook-id:${scope}:${webhookId}`;
  return {
    async seen(scope, webhookId) {
      return (await redis.exists(keyOf(scope, webhookId))) === 1;
    },
    async claim(scope, webhookId, timestampSeconds) {
      const expiry = replayExpirySeconds(timestampSeconds, nowMs(), {
        toleranceSeconds: options.toleranceSeconds,
        marginSeconds,
      });
      const result = await redis.set(keyOf(scope, webhookId), '1', 'EXAT', expiry, 'NX');
      return result === 'OK';
    },
  };
}

/** An in-memory `ReplayGuard` for unit tests (no expiry). */
export function createMemoryReplayGuard(): ReplayGuard {
  const seen = new Set<string>();
  const keyOf = (scope: string, webhookId: string) => `${scope}\u0000${webhookId}`;
  return {
    async seen(scope, webhookId) {
      return seen.has(keyOf(scope, webhookId));
    },
    async claim(scope, webhookId) {
      const key = keyOf(scope, webhookId);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    },
  };
}
