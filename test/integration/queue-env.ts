import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { loadConfig, SCALEKIT_SETTINGS, type ScalekitConfig } from '../../src/config.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { queueKeyPrefix } from '../../src/store/redis-connections.js';
import { createProducer, type Producer } from '../../src/app/producer.js';
import { createRunHistory, type RunHistory } from '../../src/store/run-history.js';
import type { QueueWorker } from '../../src/queue/worker.js';
import { startWorker, type WorkerOptions, type WorkerProcess } from '../../src/app/worker.js';
import { captureLogger, deleteKeys, REDIS_URL, testName, testRedis } from './queue-helpers.js';

/** One queue test's world: an emulator, a unique queue, workers and a producer, all closed by `close`. */
export interface QueueTestEnv {
  queueName: string;
  emulator: RunningEmulator;
  config: ScalekitConfig;
  env: Record<string, string>;
  redis: Redis;
  queue: Queue;
  history: RunHistory;
  dir: string;
  logger: Logger;
  lines: Record<string, unknown>[];
  producer(): Producer;
  startWorker(options?: Partial<WorkerOptions>): Promise<QueueWorker>;
  close(): Promise<void>;
}

/** The settings of a CLI run against the emulator at `url` (Redis settings apart). */
export function emulatorEnv(url: string): Record<string, string> {
  return {
    SCALEKIT_ENVIRONMENT_URL: url,
    SCALEKIT_CLIENT_ID: 'client',
    SCALEKIT_CLIENT_SECRET: 'secret',
    ORGSYNC_RATE_LIMIT: '2000',
    ORGSYNC_LOG_LEVEL: 'silent',
  };
}

/**
 * The `startWorker` of a queue test's world: starts an in-process worker on its queue (no schedule,
 * short locks so that a stalled job is taken again soon; `options` override) and keeps it in
 * `workers`, which the world's `close` closes.
 */
export function testWorkerStarter(
  base: Pick<WorkerOptions, 'config' | 'logger' | 'queueName'>,
  workers: WorkerProcess[],
): (options?: Partial<WorkerOptions>) => Promise<WorkerProcess> {
  return async (options = {}) => {
    const worker = await startWorker({
      ...base,
      schedule: false,
      lockDurationMs: 2_000,
      stalledIntervalMs: 1_000,
      ...options,
    });
    workers.push(worker);
    return worker;
  };
}

/** Starts the emulator and prepares a unique queue; `env` holds the settings a CLI run would read. */
export async function createQueueTestEnv(
  settings: { env?: Record<string, string>; emulator?: Parameters<typeof startEmulator>[0] } = {},
): Promise<QueueTestEnv> {
  const queueName = testName();
  const emulator = await startEmulator({ port: 0, ...settings.emulator });
  const dir = await mkdtemp(join(tmpdir(), 'orgsync-queue-'));
  const env: Record<string, string> = {
    ...emulatorEnv(emulator.url),
    REDIS_URL,
    ORGSYNC_QUEUE: queueName,
    ...settings.env,
  };
  const config = loadConfig({ env, require: SCALEKIT_SETTINGS });
  const redis = testRedis();
  const queue = new Queue(queueName, { connection: redis });
  const history = createRunHistory(redis, { keyPrefix: queueKeyPrefix(queueName), limit: config.runHistory });
  const { logger, lines } = captureLogger();
  const producers: Producer[] = [];
  const workers: WorkerProcess[] = [];
  return {
    queueName,
    emulator,
    config,
    env,
    redis,
    queue,
    history,
    dir,
    logger,
    lines,
    producer() {
      const producer = createProducer({
        redisUrl: REDIS_URL,
        queueName,
        logger,
        reconcileDelayMs: config.reconcileDelayMs,
      });
      producers.push(producer);
      return producer;
    },
    startWorker: testWorkerStarter({ config, logger, queueName }, workers),
    async close() {
      await Promise.all(workers.map((w) => w.close({ deadlineMs: 5_000 })));
      await Promise.all(producers.map((p) => p.close()));
      await queue.obliterate({ force: true });
      await queue.close();
      await deleteKeys(redis, queueKeyPrefix(queueName));
      await redis.quit();
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
