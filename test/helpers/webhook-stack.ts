import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeEach } from 'vitest';
import { startHttpService, type HttpService } from '../../src/app/http-service.js';
import { startWorker } from '../../src/app/worker.js';
import { loadConfig, SCALEKIT_SETTINGS, type ScalekitConfig } from '../../src/config.js';
import type { EmulatorSeed } from '../../src/emulator/seed-schema.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import type { QueueWorker } from '../../src/queue/worker.js';
import { queueKeyPrefix } from '../../src/store/redis-connections.js';
import { rateBudgetKeys } from '../../src/store/redis-rate-budget.js';
import { deleteKeys, REDIS_URL, testName, testRedis } from '../integration/queue-helpers.js';
import { ACCOUNTS_SECRET, SCALEKIT_SECRET, signedHeaders } from '../unit/http/server-fixture.js';

export interface WebhookStackOptions {
  /** The host system's accounts: a CSV that is the worker's ORGSYNC_SOURCE. */
  hostCsv: string;
  /** The client credentials the emulator checks and orgsync is configured with. */
  clientId: string;
  clientSecret: string;
  /** The emulator's seed: Scalekit as the test finds it. */
  seed: EmulatorSeed;
}

/** `orgsync serve` and workers on a queue of their own, with the emulator as Scalekit. */
export interface WebhookStack {
  emulator: RunningEmulator;
  config: ScalekitConfig;
  service: HttpService;
  queueName: string;
  /** A connection for test bookkeeping. */
  redis: Redis;
  /** The stack's queue, for inspecting jobs. */
  queue: Queue;
  /** Starts a worker on the stack's queue (no schedule); the stack closes it. */
  startWorker(): Promise<QueueWorker>;
  /** POSTs `event` to a webhook route of the service, signed with that route's secret. */
  deliver(
    path: '/webhooks/accounts' | '/webhooks/scalekit',
    event: unknown,
  ): Promise<{ status: number; json: Record<string, unknown> }>;
  /** Stops everything and removes the queue's keys, the rate budget's keys and the CSV. */
  close(): Promise<void>;
}

export async function startWebhookStack(options: WebhookStackOptions): Promise<WebhookStack> {
  const queueName = testName();
  const dir = await mkdtemp(join(tmpdir(), 'orgsync-webhooks-'));
  const sourcePath = join(dir, 'accounts.csv');
  await writeFile(sourcePath, options.hostCsv, 'utf8');
  const emulator = await startEmulator({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    seed: options.seed,
  });
  const config = loadConfig({
    require: SCALEKIT_SETTINGS,
    env: {
      SCALEKIT_ENVIRONMENT_URL: emulator.url,
      SCALEKIT_CLIENT_ID: options.clientId,
      SCALEKIT_CLIENT_SECRET: options.clientSecret,
      REDIS_URL,
      ORGSYNC_SOURCE: `csv:${sourcePath}`,
      ORGSYNC_RATE_LIMIT: '200',
      ORGSYNC_WEBHOOK_SECRET: ACCOUNTS_SECRET,
      SCALEKIT_WEBHOOK_SECRET: SCALEKIT_SECRET,
      ORGSYNC_HTTP_PORT: '0',
    },
  });
  const logger = pino({ level: 'silent' });
  const service = await startHttpService({ config, logger, queueName });
  const redis = testRedis();
  const queue = new Queue(queueName, { connection: redis });
  const workers: QueueWorker[] = [];
  return {
    emulator,
    config,
    service,
    queueName,
    redis,
    queue,
    async startWorker() {
      const worker = await startWorker({ config, logger, queueName, schedule: false });
      workers.push(worker);
      return worker;
    },
    async deliver(path, event) {
      const body = JSON.stringify(event);
      const secret = path === '/webhooks/accounts' ? ACCOUNTS_SECRET : SCALEKIT_SECRET;
      const response = await fetch(`${service.url}${path}`, {
        method: 'POST',
        headers: signedHeaders(secret, body),
        body,
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    },
    async close() {
      await service.close();
      await Promise.all(workers.map((w) => w.close({ deadlineMs: 5_000 })));
      await queue.obliterate({ force: true });
      await queue.close();
      await deleteKeys(redis, queueKeyPrefix(queueName));
      const rate = rateBudgetKeys(emulator.url);
      await redis.del(rate.tat, rate.pause);
      await emulator.close();
      await redis.quit();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh webhook stack for each test of the calling file: started in `beforeEach`, closed in
 * `afterEach`. The returned object stands for the current test's stack; use it inside tests and
 * later hooks only.
 */
export function useWebhookStack(options: WebhookStackOptions): WebhookStack {
  let current: WebhookStack | undefined;
  beforeEach(async () => {
    current = await startWebhookStack(options);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return new Proxy({} as WebhookStack, {
    get(_target, key) {
      if (current === undefined) throw new Error('the webhook stack runs only during a test');
      return Reflect.get(current, key);
    },
  });
}
