import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { domainRules } from '../../src/app.js';
import { createProducer, enqueueBulkImport, type Producer } from '../../src/app/producer.js';
import type { WorkerOptions, WorkerProcess } from '../../src/app/worker.js';
import { loadConfig, SCALEKIT_SETTINGS, type ScalekitConfig } from '../../src/config.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import type { RunJobResult } from '../../src/queue/job-processor.js';
import { createCsvSource } from '../../src/sources/csv-source.js';
import { createRedisClient, redisSettingsOf, type RedisConnection } from '../../src/store/redis-client.js';
import { closeConnection } from '../../src/store/redis-connections.js';
import { bullPrefix } from '../../src/store/redis-keys.js';
import { emulatorEnv, testWorkerStarter } from './queue-env.js';
import { accountsCsv, captureLogger, completedJob, testName } from './queue-helpers.js';

/**
 * A queue test on a Redis of another mode (a cluster, Sentinel, ACL users, TLS): the emulator
 * (which notes when each request is answered), a unique queue, in-process workers and a producer
 * built from the same settings as `orgsync worker` would read, and a bookkeeping connection made by
 * the product's own factory. The Redis itself belongs to the test (started and stopped by it).
 */
export interface RedisModeEnv {
  queueName: string;
  emulator: RunningEmulator;
  config: ScalekitConfig;
  env: Record<string, string>;
  /** A connection of the configured mode (the product's factory), for assertions. */
  redis: RedisConnection;
  queue: Queue;
  logger: Logger;
  lines: Record<string, unknown>[];
  dir: string;
  /** Epoch ms at which the emulator answered each request (API and token). */
  requestTimes: number[];
  producer(): Producer;
  startWorker(options?: Partial<WorkerOptions>): Promise<WorkerProcess>;
  /** Writes a CSV of `rows` accounts and enqueues it as a bulk import; returns the parent job's ID. */
  enqueueImport(rows: number, chunkSize: number): Promise<string>;
  /** Waits for the import's parent job and returns its result. */
  importResult(jobId: string, timeoutMs?: number): Promise<RunJobResult>;
  close(): Promise<void>;
}

/** Requests in the busiest calendar second (as a fake counting per second sees them). */
export function busiestSecond(times: readonly number[]): number {
  const perSecond = new Map<number, number>();
  for (const at of times) perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
  return Math.max(0, ...perSecond.values());
}

export async function createRedisModeEnv(redisEnv: Record<string, string>, extraEnv: Record<string, string> = {}) {
  const queueName = testName();
  const requestTimes: number[] = [];
  const emulator = await startEmulator({
    port: 0,
    logger: { debug: () => void requestTimes.push(Date.now()), error: () => undefined },
  });
  const dir = await mkdtemp(join(tmpdir(), 'orgsync-redis-mode-'));
  const env: Record<string, string> = { ...emulatorEnv(emulator.url), ...redisEnv, ...extraEnv };
  const config = loadConfig({ env, require: SCALEKIT_SETTINGS });
  const redis = createRedisClient(config, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  const queue = new Queue(queueName, { connection: redis, prefix: bullPrefix(redis) });
  queue.on('error', () => undefined);
  const { logger, lines } = captureLogger();
  const producers: Producer[] = [];
  const workers: WorkerProcess[] = [];
  const world: RedisModeEnv = {
    queueName,
    emulator,
    config,
    env,
    redis,
    queue,
    logger,
    lines,
    dir,
    requestTimes,
    producer() {
      const producer = createProducer({ ...redisSettingsOf(config), queueName, logger, reconcileDelayMs: 0 });
      producers.push(producer);
      return producer;
    },
    startWorker: testWorkerStarter({ config, logger, queueName }, workers),
    async enqueueImport(rows, chunkSize) {
      const path = join(dir, `accounts-${rows}.csv`);
      await writeFile(path, accountsCsv(rows));
      const enqueued = await enqueueBulkImport(world.producer(), {
        source: createCsvSource({ path }),
        rules: domainRules(config),
        chunkSize,
      });
      return enqueued.jobId;
    },
    async importResult(jobId, timeoutMs = 90_000) {
      const job = await completedJob(queue, jobId, 'the import to finish', timeoutMs);
      const result: RunJobResult = job.returnvalue;
      return result;
    },
    async close() {
      await Promise.all(workers.map((w) => w.close({ deadlineMs: 5_000 }).catch(() => undefined)));
      await Promise.all(producers.map((p) => p.close().catch(() => undefined)));
      await queue.close().catch(() => undefined);
      await closeConnection(redis);
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/** External IDs of the emulator's organizations that occur more than once. */
export function duplicatedExternalIds(emulator: RunningEmulator): string[] {
  const seen = new Map<string, number>();
  for (const org of emulator.store.snapshot().organizations)
    if (org.external_id) seen.set(org.external_id, (seen.get(org.external_id) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
}
