import { randomUUID } from 'node:crypto';
import { FlowProducer, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { reconcileDeduplicationId, type ReconcilePayload } from '../../jobs/reconcile.js';
import { createLatestAccounts } from './latest-accounts.js';
import { jobOptionsFor, parsePayload, type EnqueueKind, type PayloadInput } from './catalog.js';
import { closeConnection, connectProducerConnection, DEFAULT_QUEUE_NAME, queueKeyPrefix } from './connections.js';
import { createReleasers } from './releasers.js';

/** Options of `createProducer`. */
export interface ProducerOptions {
  /** REDIS_URL. The connection fails fast (`enableOfflineQueue: false`); it is opened on first use. */
  redisUrl: string;
  /** Default `orgsync`; every worker of the same queue name takes the jobs. */
  queueName?: string;
  logger: Logger;
}

/** Options of one `enqueue`. */
export interface EnqueueOptions {
  /** Wait this long before the job may run, in milliseconds. Default 0. */
  delayMs?: number;
}

/** What `enqueue` did. */
export interface EnqueueResult {
  /** The job that will do the work: the new job, or the one already waiting for the same target. */
  jobId: string;
  /** `true` when an equivalent job was already waiting (a reconcile of the same external ID), so none was added. */
  deduplicated: boolean;
}

/** The BullMQ objects behind a producer, for the queue layer's own use (bulk imports, `--wait`). @internal */
export interface ProducerResources {
  redis: Redis;
  queue: Queue;
  flows: FlowProducer;
}

/** Puts jobs on the queue: what `orgsync enqueue` and the HTTP webhooks use. */
export interface Producer {
  readonly queueName: string;
  /**
   * Checks `payload` against the kind's schema (throws `InvalidPayloadError`, nothing enqueued) and
   * adds the job with the catalog's retries and retention. Reconciles are deduplicated per external
   * ID (or organization ID) while one waits; a reconcile arriving while one runs is kept and runs
   * once that one ends.
   */
  enqueue<K extends EnqueueKind>(kind: K, payload: PayloadInput<K>, options?: EnqueueOptions): Promise<EnqueueResult>;
  /** @internal */
  resources(): Promise<ProducerResources>;
  /** Closes the queue handles, then the connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * A whole account (a webhook's `account.upserted`) is also kept as the newest version of that
 * account, stamped with its `occurred_at` (set now when absent): the reconcile it joins may already
 * be waiting with an older payload, and reads this one when it runs.
 */
async function rememberLatestAccount(redis: Redis, queueName: string, payload: ReconcilePayload): Promise<void> {
  if (!payload.account || payload.deleted || payload.account.display_name === undefined || !payload.occurred_at) return;
  const latest = createLatestAccounts(redis, { keyPrefix: queueKeyPrefix(queueName) });
  await latest.put(
    `${payload.account.region}-${payload.account.account_id}`,
    payload.account,
    Date.parse(payload.occurred_at),
  );
}

/** A payload with a whole account (one with `display_name`) gets `occurred_at` = now when it has none. */
function stampOccurredAt<T>(payload: T): T {
  if (typeof payload !== 'object' || payload === null || !('account' in payload)) return payload;
  const whole = typeof payload.account === 'object' && payload.account !== null && 'display_name' in payload.account;
  if (!whole || ('occurred_at' in payload && payload.occurred_at)) return payload;
  return { ...payload, occurred_at: new Date().toISOString() };
}

/** Creates a producer; nothing connects until the first `enqueue`. */
export function createProducer(options: ProducerOptions): Producer {
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const log = options.logger.child({ component: 'producer', queue: queueName });
  const releasers = createReleasers();
  let opening: Promise<ProducerResources> | undefined;
  let closing: Promise<void> | undefined;

  async function open(): Promise<ProducerResources> {
    const redis = await connectProducerConnection(options.redisUrl, (error) =>
      log.debug({ err: error }, 'Redis connection error'),
    );
    releasers.add('redis', () => closeConnection(redis));
    const queue = new Queue(queueName, { connection: redis });
    releasers.add('queue', () => queue.close());
    const flows = new FlowProducer({ connection: redis });
    releasers.add('flow producer', () => flows.close());
    queue.on('error', (error) => log.warn({ err: error }, 'queue connection error'));
    flows.on('error', (error) => log.warn({ err: error }, 'flow producer connection error'));
    return { redis, queue, flows };
  }

  function resources(): Promise<ProducerResources> {
    if (closing) return Promise.reject(new Error('the producer is closed'));
    opening ??= open().catch((error: unknown) => {
      opening = undefined; // the next call tries again
      throw error;
    });
    return opening;
  }

  return {
    queueName,
    resources,
    async enqueue(kind, payload, enqueueOptions = {}) {
      const parsed = parsePayload(kind, kind === 'reconcile' ? stampOccurredAt(payload) : payload);
      const { queue, redis } = await resources();
      if (kind === 'reconcile') await rememberLatestAccount(redis, queueName, parsePayload('reconcile', parsed));
      const jobId = randomUUID();
      const deduplication =
        kind === 'reconcile'
          ? { id: `reconcile:${reconcileDeduplicationId(parsePayload('reconcile', parsed))}`, keepLastIfActive: true }
          : undefined;
      const job = await queue.add(kind, parsed, {
        ...jobOptionsFor(kind),
        jobId,
        ...(enqueueOptions.delayMs ? { delay: enqueueOptions.delayMs } : {}),
        ...(deduplication ? { deduplication } : {}),
      });
      const result = { jobId: job.id ?? jobId, deduplicated: job.id !== jobId };
      log.info(
        { kind, job_id: result.jobId, deduplicated: result.deduplicated },
        result.deduplicated ? 'job already waiting; not enqueued again' : 'job enqueued',
      );
      return result;
    },
    close() {
      closing ??= (async () => {
        await opening?.catch(() => undefined);
        await releasers.releaseAll((name, error) =>
          log.warn({ err: error, resource: name }, 'could not close cleanly'),
        );
      })();
      return closing;
    },
  };
}
