/**
 * Child-process entry: one `orgsync worker` (as `startWorker` in src/app/worker.ts runs it) for the queued
 * bulk-import scenario. Receives a `QueueWorkerStart`, answers `{ ready: true }`; on `'stop'` it
 * closes gracefully and answers `{ peakRssBytes }`, then exits.
 */
import { pino } from 'pino';
import { loadConfig, SCALEKIT_SETTINGS } from '../src/config.js';
import type { QueueWorker } from '../src/queue/worker.js';
import { startWorker } from '../src/app/worker.js';
import type { RedisSettings } from '../src/store/redis-client.js';

/** What the parent sends to start a worker. */
export interface QueueWorkerStart {
  url: string;
  clientId: string;
  clientSecret: string;
  /** REDIS_URL and the other Redis settings (mode, sentinel name, TLS CA). */
  redis: RedisSettings;
  queueName: string;
  ratePerSecond: number;
  /** Writes in flight per job (ORGSYNC_CONCURRENCY). */
  concurrency: number;
}

let worker: QueueWorker | undefined;

process.on('message', (message: QueueWorkerStart | 'stop') => {
  if (message === 'stop') {
    void (worker?.close({ deadlineMs: 10_000 }) ?? Promise.resolve()).then(() => {
      process.send?.({ peakRssBytes: process.resourceUsage().maxRSS * 1024 }, () => process.disconnect());
    });
    return;
  }
  // The settings a deployed worker reads from its environment, given explicitly.
  const config = loadConfig({
    require: SCALEKIT_SETTINGS,
    env: {
      SCALEKIT_ENVIRONMENT_URL: message.url,
      SCALEKIT_CLIENT_ID: message.clientId,
      SCALEKIT_CLIENT_SECRET: message.clientSecret,
      REDIS_URL: message.redis.redisUrl,
      ORGSYNC_REDIS_MODE: message.redis.redisMode ?? 'standalone',
      ...(message.redis.redisSentinelName ? { ORGSYNC_REDIS_SENTINEL_NAME: message.redis.redisSentinelName } : {}),
      ...(message.redis.redisSentinelPassword
        ? { ORGSYNC_REDIS_SENTINEL_PASSWORD: message.redis.redisSentinelPassword }
        : {}),
      ...(message.redis.redisTlsCa ? { ORGSYNC_REDIS_TLS_CA: message.redis.redisTlsCa } : {}),
      ORGSYNC_RATE_LIMIT: String(message.ratePerSecond),
      ORGSYNC_CONCURRENCY: String(message.concurrency),
      ORGSYNC_LOG_LEVEL: 'silent',
    },
  });
  startWorker({ config, logger: pino({ level: 'silent' }), queueName: message.queueName, schedule: false }).then(
    (started) => {
      worker = started;
      process.send?.({ ready: true });
    },
    (error: unknown) => {
      process.send?.({ error: error instanceof Error ? error.message : String(error) });
      process.exitCode = 1;
      process.disconnect();
    },
  );
});
