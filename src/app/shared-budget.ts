import { describeRedis, type RedisConnection as Redis, type RedisSettings } from '../store/redis-client.js';
import type { Logger } from 'pino';
import type { ScalekitConfig } from '../config.js';
import { OrgsyncError } from '../errors.js';
import type { RateBudget } from '../scalekit/rate-budget.js';
import { closeConnection, connectProducerConnection } from '../store/redis-connections.js';
import { createRedisLock } from '../store/redis-lock.js';
import { createRedisRateBudget } from '../store/redis-rate-budget.js';

/** `orgsync plan`/`apply` could not reach the Redis at REDIS_URL, so they would not share the budget. */
export class SharedBudgetUnavailableError extends OrgsyncError {
  constructor(redis: RedisSettings, options?: { cause?: unknown }) {
    super(
      'ERR_SHARED_BUDGET_UNAVAILABLE',
      `cannot reach Redis at ${describeRedis(redis)} (REDIS_URL) to join the workers' shared rate budget ` +
        'and per-organization locks, so nothing was read or written. Start Redis or fix REDIS_URL; or, when no ' +
        'worker runs against this Scalekit environment, pass --no-shared-budget so that this run keeps ' +
        'a rate budget of its own (ORGSYNC_RATE_LIMIT is then not shared).',
      options,
    );
  }
}

/**
 * The CLI's Redis connection (the one place `plan` and `apply` open one): connected before it is
 * returned, failing at once with `SharedBudgetUnavailableError` (which names the host, never the
 * password). Commands then ride out a short outage: they wait through up to 20 reconnects (about
 * 15 s with the reconnect delays of `reconnectDelayMs`, 100 ms growing to 1 s) before they fail, and a failed lock or budget call fails its
 * item (or the run, while it reads Scalekit's side): nothing is written unguarded.
 */
async function connectCliRedis(config: ScalekitConfig, logger: Logger): Promise<Redis> {
  // A failure to connect is the error below; only later outages are worth a log line.
  let connected = false;
  const onError = (error: Error) => {
    if (connected) logger.warn({ err: error, redis: describeRedis(config) }, 'Redis connection error');
  };
  try {
    const redis = await connectProducerConnection(config, onError, {
      connectionName: 'orgsync:cli',
      timeoutMs: config.redisTimeoutMs,
      enableOfflineQueue: true,
      maxRetriesPerRequest: 20,
    });
    connected = true;
    return redis;
  } catch (error) {
    throw new SharedBudgetUnavailableError(config, { cause: error });
  }
}

/** What a CLI run shares with every worker of the same Scalekit environment. */
export interface SharedBudget {
  /** The Redis rate budget the workers use: ORGSYNC_RATE_LIMIT for every process together. */
  rateBudget: RateBudget;
  /** The per-organization lock the workers take before writing an organization. */
  exclusive<T>(key: string, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Joins the workers' rate budget and per-organization locks (the same keys: one budget and one
 * lock space per Scalekit environment URL), on the CLI's own Redis connection.
 */
export async function joinSharedBudget(config: ScalekitConfig, logger: Logger): Promise<SharedBudget> {
  const redis = await connectCliRedis(config, logger);
  const environmentUrl = config.scalekitEnvironmentUrl;
  const lock = createRedisLock({ redis, scope: environmentUrl, logger });
  logger.info(
    { redis: describeRedis(config), rate_limit: config.rateLimit },
    'sharing the rate budget and per-organization locks of the workers',
  );
  return {
    rateBudget: createRedisRateBudget({ redis, environmentUrl, ratePerSecond: config.rateLimit }),
    exclusive: (key, fn) => lock.exclusive(key, fn),
    close: () => closeConnection(redis),
  };
}
