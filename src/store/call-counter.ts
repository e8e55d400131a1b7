import type { RedisConnection as Redis } from './redis-client.js';
import type { RequestInfo } from '../scalekit/request-loop.js';

/** Scalekit calls of every worker, by method, route template and status (for `/metrics`). */
export interface CallCount {
  method: string;
  route: string;
  status: string;
  count: number;
  /** Time spent in these calls, summed, in seconds. */
  seconds: number;
}

/**
 * Counts this process's Scalekit calls and adds them to totals in Redis, so that `orgsync serve`
 * can show the calls of every worker on every machine. Counts are batched in memory and flushed
 * every `flushIntervalMs`, and on `close`.
 */
export interface CallCounter {
  /** The Scalekit client's `onRequest` hook. */
  observe(info: RequestInfo): void;
  flush(): Promise<void>;
  /** Stops the timer and flushes what is left (never throws). */
  close(): Promise<void>;
}

const keysOf = (keyPrefix: string) => ({
  counts: `${keyPrefix}scalekit-calls`,
  millis: `${keyPrefix}scalekit-call-ms`,
});

export function createCallCounter(redis: Redis, options: { keyPrefix: string; flushIntervalMs?: number }): CallCounter {
  const keys = keysOf(options.keyPrefix);
  let pending = new Map<string, { count: number; ms: number }>();
  let timer: NodeJS.Timeout | undefined;

  async function flush(): Promise<void> {
    // A killed worker has dropped its connection: its last counts are lost with it.
    if (pending.size === 0 || redis.status === 'end' || redis.status === 'close') return;
    const batch = pending;
    pending = new Map();
    // Plain commands, each awaited: a MULTI's queued commands reject unhandled when the
    // connection drops under them (a killed worker).
    await Promise.all(
      [...batch].flatMap(([field, { count, ms }]) => [
        redis.hincrby(keys.counts, field, count),
        redis.hincrby(keys.millis, field, Math.round(ms)),
      ]),
    );
  }

  // A chain of timeouts, not an interval: a slow flush never overlaps the next one.
  const schedule = (): void => {
    timer = setTimeout(() => {
      flush()
        .catch(() => undefined)
        .finally(schedule);
    }, options.flushIntervalMs ?? 5_000);
    timer.unref();
  };
  schedule();

  return {
    observe(info) {
      const field = `${info.method} ${info.routeTemplate} ${info.status}`;
      const entry = pending.get(field) ?? { count: 0, ms: 0 };
      entry.count += 1;
      entry.ms += info.durationMs;
      pending.set(field, entry);
    },
    flush,
    async close() {
      clearTimeout(timer);
      timer = undefined;
      // Metrics are best effort: counts that cannot reach Redis now (a killed worker) are dropped
      // rather than failing the shutdown.
      await flush().catch(() => undefined);
    },
  };
}

/** The totals every worker has flushed so far. */
export async function readCallCounts(redis: Redis, keyPrefix: string): Promise<CallCount[]> {
  const keys = keysOf(keyPrefix);
  const [counts, millis] = await Promise.all([redis.hgetall(keys.counts), redis.hgetall(keys.millis)]);
  return Object.entries(counts).map(([field, count]) => {
    const [method = '', route = '', status = ''] = field.split(' ');
    return { method, route, status, count: Number(count), seconds: Number(millis[field] ?? 0) / 1000 };
  });
}
