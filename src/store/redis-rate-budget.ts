import { createHash } from 'node:crypto';
import type { RedisConnection as Redis } from './redis-client.js';
import type { RateBudget } from '../scalekit/rate-budget.js';
import { realSleep, type Sleep } from '../scalekit/sleep.js';
import { orgsyncKeyPrefix } from './redis-keys.js';
import { defineLuaScript } from './lua-script.js';

/** Options of `createRedisRateBudget`. */
export interface RedisRateBudgetOptions {
  /** A connection shared with the rest of the process is fine: each acquire is one EVALSHA. */
  redis: Redis;
  /** The Scalekit environment URL: one budget per environment, whatever the process or queue. */
  environmentUrl: string;
  /** Sustained requests per second across every process (ORGSYNC_RATE_LIMIT), > 0. */
  ratePerSecond: number;
  /** Requests that may go out back to back after an idle spell. Default 1 (even pacing). */
  burst?: number;
  /** Default `orgsync:`; tests pass their own. */
  keyPrefix?: string;
  /** Default: a real timer. */
  sleep?: Sleep;
  /** Clock for `waitedMs`, in epoch milliseconds. Default `Date.now`. (The budget itself runs on Redis's clock.) */
  now?: () => number;
}

/**
 * GCRA over two keys, on the Redis server's clock so that every machine agrees: `tat` is the
 * theoretical arrival time of the next request, `pause` the end of a 429 pause. A caller whose slot
 * is at most `reserveAheadMs` away reserves it and is told how long to wait before sending; any
 * other caller is told when to ask again. Returns {granted 0|1, waitMs}.
 */
const ACQUIRE = defineLuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local ahead = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local pausedUntil = tonumber(redis.call('GET', KEYS[2]) or '0')
local sendAt = math.max(now, tat - tolerance, pausedUntil)
local waitMs = sendAt - now
if waitMs > ahead then
  return {0, math.ceil(waitMs - ahead)}
end
local nextTat = math.max(tat, sendAt) + interval
redis.call('SET', KEYS[1], tostring(nextTat), 'PX', math.ceil(nextTat - now + tolerance) + 1000)
return {1, math.ceil(waitMs)}
`);

/** Moves the end of the pause to now + ARGV[1] ms, unless it is already later. */
const PAUSE = defineLuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local pauseMs = tonumber(ARGV[1])
local untilMs = now + pauseMs
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > current then
  redis.call('SET', KEYS[1], tostring(untilMs), 'PX', math.ceil(pauseMs) + 1)
end
return 1
`);

/** The Redis keys of one environment's budget. The hash tag keeps both on one cluster slot. */
export function rateBudgetKeys(environmentUrl: string, keyPrefix = orgsyncKeyPrefix()): { tat: string; pause: string } {
  const id = createHash('sha256').update(environmentUrl).digest('hex').slice(0, 16);
  return { tat: `${keyPrefix}rate:{${id}}:tat`, pause: `${keyPrefix}rate:{${id}}:pause` };
}

/**
 * A `RateBudget` shared by every worker process on every machine (design §4): ORGSYNC_RATE_LIMIT
 * requests per second per Scalekit environment, enforced by one atomic Lua script per acquire.
 * `pause(ms)` (a 429 from Scalekit) holds every process until the pause ends. `acquire` honours its
 * abort signal while it waits; a slot reserved by an aborted caller is not handed back.
 */
export function createRedisRateBudget(options: RedisRateBudgetOptions): RateBudget {
  const { redis, ratePerSecond } = options;
  const burst = options.burst ?? 1;
  if (!(Number.isFinite(ratePerSecond) && ratePerSecond > 0)) {
    throw new TypeError(`createRedisRateBudget: ratePerSecond must be a positive number, got ${ratePerSecond}`);
  }
  if (!(Number.isInteger(burst) && burst >= 1))
    throw new TypeError(`createRedisRateBudget: burst must be an integer >= 1, got ${burst}`);
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const keys = rateBudgetKeys(options.environmentUrl, options.keyPrefix ?? orgsyncKeyPrefix(options.redis));
  const intervalMs = 1000 / ratePerSecond;
  const toleranceMs = (burst - 1) * intervalMs;
  // Reserve only the very next slot: a caller further back asks again instead of holding a slot
  // that a 429 pause, starting meanwhile, should have cancelled.
  const reserveAheadMs = intervalMs;
  let waitedMs = 0;

  async function tryAcquire(): Promise<{ granted: boolean; waitMs: number }> {
    const reply = await ACQUIRE.run(redis, [keys.tat, keys.pause], [intervalMs, toleranceMs, reserveAheadMs]);
    if (!Array.isArray(reply) || reply.length !== 2)
      throw new Error(`rate budget script: unexpected reply ${JSON.stringify(reply)}`);
    return { granted: Number(reply[0]) === 1, waitMs: Math.max(0, Number(reply[1])) };
  }

  return {
    async acquire(signal?: AbortSignal): Promise<void> {
      if (signal?.aborted) throw signal.reason;
      const startMs = now();
      try {
        for (;;) {
          const { granted, waitMs } = await tryAcquire();
          if (signal?.aborted) throw signal.reason;
          if (waitMs > 0) await sleep(waitMs, signal);
          if (granted) return;
        }
      } finally {
        waitedMs += Math.max(0, now() - startMs);
      }
    },
    async pause(pauseMs: number): Promise<void> {
      if (!(pauseMs > 0)) return;
      await PAUSE.run(redis, [keys.pause], [Math.ceil(pauseMs)]);
    },
    get waitedMs(): number {
      return waitedMs;
    },
  };
}
