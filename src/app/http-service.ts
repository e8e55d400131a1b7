import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { connectScalekit } from '../app.js';
import type { ScalekitConfig } from '../config.js';
import { createHttpMetrics } from '../http/metrics.js';
import { createReadiness, type ReadinessOptions } from '../http/readiness.js';
import { readRunStats } from '../http/run-history-reader.js';
import { createHttpServer, type HttpTimeouts } from '../http/server.js';
import { toReconcilePayload } from '../http/webhooks/reconcile-request.js';
import { WEBHOOK_TOLERANCE_SECONDS } from '../http/webhooks/webhook-verifier.js';
import { closeWithin, createReleasers } from '../lifecycle.js';
import { readCallCounts } from '../store/call-counter.js';
import { readNotificationCounts } from '../store/notification-counter.js';
import { readEchoCount } from '../store/reconcile-echoes.js';
import { readNoopCount } from '../store/reconcile-noops.js';
import {
  closeConnection,
  connectProducerConnection,
  DEFAULT_QUEUE_NAME,
  queueKeyPrefix,
  watchOutages,
} from '../store/redis-connections.js';
import { redisSettingsOf } from '../store/redis-client.js';
import { bullPrefix } from '../store/redis-keys.js';
import { createRedisRateBudget } from '../store/redis-rate-budget.js';
import { createRedisReplayGuard } from '../store/replay-guard.js';
import { createRunHistory } from '../store/run-history.js';
import { createProducer } from './producer.js';

/** Options of `startHttpService`. */
export interface HttpServiceOptions {
  /** Needs Redis and the Scalekit settings; the webhook secrets and the admin login are optional. */
  config: ScalekitConfig;
  logger: Logger;
  /** The BullMQ queue the workers take jobs from. Default `orgsync`. */
  queueName?: string;
  /** Prefix of the replay keys and of the run history. Default `orgsync:<queueName>:` (the workers' own). */
  keyPrefix?: string;
  /** Prefix of the shared Scalekit rate budget's keys. Default the queue layer's (`orgsync:`). */
  rateBudgetKeyPrefix?: string;
  readiness?: ReadinessOptions;
  timeouts?: Partial<HttpTimeouts>;
}

/** A listening HTTP service. */
export interface HttpService {
  /** e.g. `http://127.0.0.1:8080`. */
  url: string;
  app: FastifyInstance;
  /**
   * Graceful shutdown: stop accepting and drain requests in flight, then close the queue handles,
   * the Scalekit client and Redis, newest first. After `deadlineMs` (default 10000) the remaining
   * connections are cut. Idempotent.
   */
  close(deadlineMs?: number): Promise<void>;
  /** Cuts every HTTP and Redis connection now, so that a pending `close()` finishes (a second signal). */
  cut(): void;
}

const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

/** Builds every collaborator of `orgsync serve` from configuration and starts listening. */
export async function startHttpService(options: HttpServiceOptions): Promise<HttpService> {
  const { config, logger } = options;
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const releasers = createReleasers();
  const release = () =>
    releasers.releaseAll((name, error) => logger.warn({ err: error, resource: name }, 'could not close cleanly'));
  try {
    const redis = await connectProducerConnection(
      config,
      (error) => logger.debug({ err: error }, 'Redis connection error'),
      { timeoutMs: config.redisTimeoutMs },
    );
    watchOutages(redis, config, logger, config.redisTimeoutMs);
    releasers.add('redis', () => closeConnection(redis));
    const keyPrefix = options.keyPrefix ?? queueKeyPrefix(queueName, redis);
    const rateBudget = createRedisRateBudget({
      redis,
      environmentUrl: config.scalekitEnvironmentUrl,
      ratePerSecond: config.rateLimit,
      keyPrefix: options.rateBudgetKeyPrefix,
    });
    const queue = new Queue(queueName, { connection: redis, prefix: bullPrefix(redis) });
    // Each reconnect attempt is an error here; `watchOutages` says it once.
    queue.on('error', (error) => logger.debug({ err: error }, 'queue connection error'));
    releasers.add('queue', () => queue.close());
    const runHistory = createRunHistory(redis, { keyPrefix, limit: config.runHistory });
    const metrics = createHttpMetrics({
      queueJobCounts: () => queue.getJobCounts(...JOB_STATES),
      rateBudgetWaitedMs: () => rateBudget.waitedMs,
      runStats: () => readRunStats(runHistory),
      jobScalekitCalls: () => readCallCounts(redis, keyPrefix),
      reconcileEchoes: () => readEchoCount(redis, keyPrefix),
      reconcileNoops: () => readNoopCount(redis, keyPrefix),
      notificationCounts: () => readNotificationCounts(redis, keyPrefix),
    });
    const { api: scalekit, close: closeScalekit } = connectScalekit(config, logger, {
      rateBudget,
      onRequest: (info) => metrics.observeScalekitRequest(info),
    });
    releasers.add('scalekit', closeScalekit);
    const producer = createProducer({
      ...redisSettingsOf(config),
      redisTimeoutMs: config.redisTimeoutMs,
      queueName,
      logger,
      reconcileDelayMs: config.reconcileDelayMs,
    });
    releasers.add('producer', () => producer.close());

    const readiness = createReadiness(
      [
        {
          name: 'redis',
          // While Redis is away the connection queues commands: say so at once instead of waiting.
          check: async () => {
            if (redis.status !== 'ready') throw new Error(`not connected (${redis.status})`);
            await redis.ping();
          },
        },
        {
          name: 'scalekit',
          // The cheapest authenticated call: one organization of the first page.
          check: async (signal) => {
            for await (const _page of scalekit.listOrganizations({ pageSize: 1, signal })) break;
          },
        },
      ],
      options.readiness,
    );
    const admin =
      config.adminUser !== undefined && config.adminPassword !== undefined
        ? {
            credentials: { user: config.adminUser, password: config.adminPassword },
            queues: [queue],
            runHistory,
            dashboardReadOnly: config.adminReadOnly,
          }
        : undefined;
    const app = await createHttpServer({
      logger,
      metrics,
      readiness,
      timeouts: options.timeouts,
      admin,
      webhooks: {
        accountsSecret: config.webhookSecret,
        scalekitSecret: config.scalekitWebhookSecret,
        replayGuard: createRedisReplayGuard(redis, { keyPrefix, toleranceSeconds: WEBHOOK_TOLERANCE_SECONDS }),
        rules: { regions: config.regions, metadataKeys: config.metadataKeys },
        enqueueReconcile: (request) => producer.enqueue('reconcile', toReconcilePayload(request)),
      },
    });
    // Added last, so closed first: intake stops before anything it uses goes away.
    releasers.add('http', () => app.close());
    const url = await app.listen({ host: config.httpHost, port: config.httpPort });
    logger.info(
      {
        url,
        queue: queueName,
        admin_pages: admin !== undefined,
        accounts_webhook: config.webhookSecret !== undefined,
        scalekit_webhook: config.scalekitWebhookSecret !== undefined,
      },
      'orgsync serve listening',
    );

    let closing: Promise<void> | undefined;
    const cut = (): void => {
      app.server.closeAllConnections();
      redis.disconnect();
    };
    return {
      url,
      app,
      close(deadlineMs = 10_000) {
        closing ??= closeWithin(release(), deadlineMs, () => {
          logger.warn({ deadline_ms: deadlineMs }, 'shutdown deadline passed; cutting the remaining connections');
          cut();
        });
        return closing;
      },
      cut,
    };
  } catch (error) {
    await release().catch(() => undefined);
    throw error;
  }
}
