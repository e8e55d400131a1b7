import { randomUUID } from 'node:crypto';
import { FlowProducer, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { jobOptionsFor, parsePayload, type EnqueueKind, type PayloadInput } from './catalog.js';
import { closeConnection, connectProducerConnection, DEFAULT_QUEUE_NAME } from '../store/redis-connections.js';
import { enqueueReconcile } from './reconcile-enqueue.js';
import { createReleasers } from '../lifecycle.js';

/** ORGSYNC_RECONCILE_DELAY_MS's default. */
export const DEFAULT_RECONCILE_DELAY_MS = 1_000;

/** Options of `createProducer`. */
export interface ProducerOptions {
  /** REDIS_URL. The connection fails fast (`enableOfflineQueue: false`); it is opened on first use. */
  redisUrl: string;
  /** Default `orgsync`; every worker of the same queue name takes the jobs. */
  queueName?: string;
  logger: Logger;
  /**
   * ORGSYNC_RECONCILE_DELAY_MS: a reconcile waits this long for more deliveries about the same
   * target, each of which restarts the wait. Default 1,000; 0 runs it at once.
   */
  reconcileDelayMs?: number;
}

/** Options of one `enqueue`. */
export interface EnqueueOptions {
  /** Wait this long before the job may run, in milliseconds. Default 0 (a reconcile: the producer's `reconcileDelayMs`). */
  delayMs?: number;
}

/** What `enqueue` did. */
export interface EnqueueResult {
  /** The job that will do the work: the new job, or the one already waiting for the same target. */
  jobId: string;
  /**
   * `true` when a job already waiting (or already requested to run after the one running) for the
   * same target will apply this request, so none was added.
   */
  deduplicated: boolean;
  /** Set when `jobId` is a follow-up of this running job: it is added to the queue when that one ends. */
  runsAfter?: string | undefined;
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
   * adds the job with the catalog's retries and retention. Reconciles are debounced per external
   * ID (or organization ID), see `enqueueReconcile`; a reconcile arriving while one runs is kept and
   * runs once that one ends.
   */
  enqueue<K extends EnqueueKind>(kind: K, payload: PayloadInput<K>, options?: EnqueueOptions): Promise<EnqueueResult>;
  /** @internal */
  resources(): Promise<ProducerResources>;
  /** Closes the queue handles, then the connection. Idempotent. */
  close(): Promise<void>;
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
      const parsed = parsePayload(kind, payload);
      const opened = await resources();
      let result: EnqueueResult;
      if (kind === 'reconcile') {
        const delayMs = enqueueOptions.delayMs ?? options.reconcileDelayMs ?? DEFAULT_RECONCILE_DELAY_MS;
        result = await enqueueReconcile(opened, parsePayload('reconcile', parsed), delayMs);
      } else {
        const jobId = randomUUID();
        const job = await opened.queue.add(kind, parsed, {
          ...jobOptionsFor(kind),
          jobId,
          ...(enqueueOptions.delayMs ? { delay: enqueueOptions.delayMs } : {}),
        });
        result = { jobId: job.id ?? jobId, deduplicated: job.id !== jobId };
      }
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
