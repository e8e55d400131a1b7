import type { Logger } from 'pino';
import {
  chunkSizeOf,
  submitBulkImport,
  type BulkImportEnqueued,
  type BulkImportInput,
} from '../../jobs/bulk-import-enqueue.js';
import { JOB_KINDS, jobSpecOf, parsePayload, type EnqueueKind, type PayloadInput } from '../../jobs/catalog.js';
import { prepareReconcile } from '../../jobs/reconcile-enqueue.js';
import type { Config } from '../config.js';
import type { JobSpec } from '../job-contract.js';
import { createProducer as createQueueProducer, type Producer as QueueProducer } from '../queue/producer.js';
import { createImportStore } from '../store/import-store.js';
import { createLatestAccounts } from '../store/latest-accounts.js';
import { redisSettingsOf, type RedisSettings } from '../store/redis-client.js';
import { DEFAULT_QUEUE_NAME, queueKeyPrefix } from '../store/redis-connections.js';

/** ORGSYNC_RECONCILE_DELAY_MS's default. */
export const DEFAULT_RECONCILE_DELAY_MS = 1_000;

/** The payloads callers may enqueue directly, by kind (a bulk import goes through `enqueueBulkImport`). */
export type EnqueuePayloads = { [K in EnqueueKind]: PayloadInput<K> };

/** Puts jobs on the queue: what `orgsync enqueue` and the HTTP webhooks use. */
export type Producer = QueueProducer<EnqueuePayloads>;

/** Options of `createProducer`. */
export interface ProducerOptions extends RedisSettings {
  /**
   * REDIS_URL (with ORGSYNC_REDIS_MODE and the other Redis settings). Opened on first use; a command
   * waits through an outage for up to `redisTimeoutMs`.
   */
  redisUrl: string;
  /** ORGSYNC_REDIS_TIMEOUT_MS. Default 20,000. */
  redisTimeoutMs?: number | undefined;
  /** Default `orgsync`; every worker of the same queue name takes the jobs. */
  queueName?: string;
  logger: Logger;
  /**
   * ORGSYNC_RECONCILE_DELAY_MS: a reconcile waits this long for more deliveries about the same
   * target, each of which restarts the wait. Default 1,000; 0 runs it at once.
   */
  reconcileDelayMs?: number;
}

/**
 * A producer for every job kind of the catalog; nothing connects until the first `enqueue`.
 * Reconciles are debounced per external ID (or organization ID): each request first records its
 * account's state in the latest-account store, where the job reads the newest one.
 */
export function createProducer(options: ProducerOptions): Producer {
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const jobs: Record<string, JobSpec> = Object.fromEntries(JOB_KINDS.map((kind) => [kind, jobSpecOf(kind)]));
  return createQueueProducer<EnqueuePayloads>({
    ...redisSettingsOf(options),
    redisTimeoutMs: options.redisTimeoutMs,
    queueName,
    logger: options.logger,
    jobs,
    debounce: {
      reconcile: {
        delayMs: options.reconcileDelayMs ?? DEFAULT_RECONCILE_DELAY_MS,
        prepare: (payload, nowMs, redis) =>
          prepareReconcile(
            parsePayload('reconcile', payload),
            nowMs,
            createLatestAccounts(redis, { keyPrefix: queueKeyPrefix(queueName, redis) }),
          ),
      },
    },
  });
}

/**
 * The producer of a CLI command (`enqueue`, `retry`): every Redis setting of the configuration
 * (mode, sentinel, TLS, timeout), its queue and its reconcile delay.
 */
export function createCommandProducer(
  config: RedisSettings & Pick<Config, 'redisTimeoutMs' | 'queueName' | 'reconcileDelayMs'>,
  logger: Logger,
): Producer {
  return createProducer({
    ...redisSettingsOf(config),
    redisTimeoutMs: config.redisTimeoutMs,
    queueName: config.queueName,
    logger,
    reconcileDelayMs: config.reconcileDelayMs,
  });
}

/**
 * Reads and checks a CSV with the domain rules, stores its valid rows in Redis in chunks (on the
 * producer's connection, under its queue's keys), and enqueues one flow: a `bulk-import` parent
 * with one `bulk-import-chunk` child per chunk (see `jobs/bulk-import-enqueue.ts`).
 */
export async function enqueueBulkImport(producer: Producer, input: BulkImportInput): Promise<BulkImportEnqueued> {
  chunkSizeOf(input); // a bad chunk size fails before anything connects
  const { redis } = await producer.resources();
  const store = createImportStore(redis, {
    keyPrefix: queueKeyPrefix(producer.queueName, redis),
    ttlSeconds: input.ttlSeconds,
  });
  return submitBulkImport({ store, addFlow: (flow) => producer.addFlow(flow) }, input);
}
