import { randomUUID } from 'node:crypto';
import { FlowProducer, Queue, type FlowJob } from 'bullmq';
import type { RedisConnection as Redis } from '../store/redis-client.js';
import type { Logger } from 'pino';
import { parseJobPayload, type JobFlow, type JobSpec } from '../job-contract.js';
import { createReleasers } from '../lifecycle.js';
import type { RedisSettings } from '../store/redis-client.js';
import {
  closeConnection,
  connectProducerConnection,
  DEFAULT_QUEUE_NAME,
  watchOutages,
} from '../store/redis-connections.js';
import { bullPrefix } from '../store/redis-keys.js';
import { DEFAULT_REDIS_TIMEOUT_MS } from '../store/redis-options.js';
import { bullJobOptions } from './bull-job-options.js';
import { addDebounced } from './debounced-add.js';

/**
 * How the jobs of one kind are debounced: each request waits `delayMs` for more requests about the
 * same target (see `addDebounced`).
 */
export interface DebouncePolicy {
  /** Milliseconds a job waits for more requests about its target; 0 runs it at once. */
  delayMs: number;
  /**
   * Called with the checked payload and the time of the request, before the job is added: returns
   * the payload to add and its target's deduplication ID, and may record what the job must see
   * (through `redis`, the producer's connection).
   */
  prepare(payload: unknown, nowMs: number, redis: Redis): Promise<{ payload: unknown; deduplicationId: string }>;
}

/** Options of `createProducer`. */
export interface ProducerOptions extends RedisSettings {
  /**
   * REDIS_URL (and the other Redis settings: mode, sentinel name, TLS CA). The connection is opened
   * on first use; later, a command issued while Redis is away waits for it to come back for up to
   * `redisTimeoutMs`.
   */
  redisUrl: string;
  /** ORGSYNC_REDIS_TIMEOUT_MS: how long a command waits through a Redis outage. Default 20,000. */
  redisTimeoutMs?: number | undefined;
  /** Default `orgsync`; every worker of the same queue name takes the jobs. */
  queueName?: string;
  logger: Logger;
  /** Every job kind this producer may add: payload schema, retries and retention (from the composition root). */
  jobs: Readonly<Record<string, JobSpec>>;
  /** The kinds whose jobs are debounced per target. */
  debounce?: Readonly<Record<string, DebouncePolicy>>;
}

/** Options of one `enqueue`. */
export interface EnqueueOptions {
  /** Wait this long before the job may run, in milliseconds. Default 0 (a debounced kind: its policy's `delayMs`). */
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

/** The BullMQ objects behind a producer, for the composition root's own use (bulk imports, `--wait`). @internal */
export interface ProducerResources {
  redis: Redis;
  queue: Queue;
  flows: FlowProducer;
}

/**
 * Puts jobs on the queue: what `orgsync enqueue` and the HTTP webhooks use. `Payloads` maps each
 * kind a caller may enqueue to its payload as the caller writes it.
 */
export interface Producer<Payloads extends object = Record<string, unknown>> {
  readonly queueName: string;
  /**
   * Checks `payload` against the kind's schema (throws `InvalidPayloadError`, nothing enqueued) and
   * adds the job with the kind's retries and retention. A debounced kind (a reconcile, per external
   * ID or organization ID) waits for more requests about its target, see `addDebounced`; a request
   * arriving while the job runs is kept and runs once that one ends.
   */
  enqueue<K extends keyof Payloads & string>(
    kind: K,
    payload: Payloads[K],
    options?: EnqueueOptions,
  ): Promise<EnqueueResult>;
  /** Adds a parent job and its children at once (a BullMQ flow); their payloads are checked already. */
  addFlow(flow: JobFlow): Promise<void>;
  /** @internal */
  resources(): Promise<ProducerResources>;
  /** Closes the queue handles, then the connection. Idempotent. */
  close(): Promise<void>;
}

/** Creates a producer; nothing connects until the first `enqueue`. */
export function createProducer<Payloads extends object>(options: ProducerOptions): Producer<Payloads> {
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const log = options.logger.child({ component: 'producer', queue: queueName });
  const releasers = createReleasers();
  let opening: Promise<ProducerResources> | undefined;
  let closing: Promise<void> | undefined;

  async function open(): Promise<ProducerResources> {
    const redis = await connectProducerConnection(
      options,
      (error) => log.debug({ err: error }, 'Redis connection error'),
      { timeoutMs: options.redisTimeoutMs },
    );
    watchOutages(redis, options, log, options.redisTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS);
    releasers.add('redis', () => closeConnection(redis));
    const prefix = bullPrefix(redis);
    const queue = new Queue(queueName, { connection: redis, prefix });
    releasers.add('queue', () => queue.close());
    const flows = new FlowProducer({ connection: redis, prefix });
    releasers.add('flow producer', () => flows.close());
    // Each reconnect attempt is an error here; `watchOutages` says it once.
    queue.on('error', (error) => log.debug({ err: error }, 'queue connection error'));
    flows.on('error', (error) => log.debug({ err: error }, 'flow producer connection error'));
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

  const specOf = (kind: string): JobSpec => {
    const spec = Object.hasOwn(options.jobs, kind) ? options.jobs[kind] : undefined;
    if (!spec) throw new TypeError(`no job kind is called ${JSON.stringify(kind)}`);
    return spec;
  };

  return {
    queueName,
    resources,
    async addFlow(flow) {
      const { flows } = await resources();
      const node: FlowJob = {
        name: flow.kind,
        queueName,
        data: flow.payload,
        opts: { ...bullJobOptions(flow.options), jobId: flow.jobId },
        children: flow.children.map((child) => ({
          name: child.kind,
          queueName,
          data: child.payload,
          opts: {
            ...bullJobOptions(child.options),
            jobId: child.jobId,
            ...(child.ignoreDependencyOnFailure ? { ignoreDependencyOnFailure: true } : {}),
          },
        })),
      };
      await flows.add(node);
    },
    async enqueue(kind, payload, enqueueOptions = {}) {
      const spec = specOf(kind);
      const parsed = parseJobPayload(kind, spec.schema, payload);
      const opened = await resources();
      let result: EnqueueResult;
      const debounce = options.debounce?.[kind];
      if (debounce) {
        const nowMs = Date.now();
        const prepared = await debounce.prepare(parsed, nowMs, opened.redis);
        const delayMs = enqueueOptions.delayMs ?? debounce.delayMs;
        result = await addDebounced(opened, { kind, ...prepared, options: spec, delayMs, nowMs });
      } else {
        const jobId = randomUUID();
        const job = await opened.queue.add(kind, parsed, {
          ...bullJobOptions(spec),
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
