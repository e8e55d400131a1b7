import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { DomainRules } from '../../domain/types.js';
import { createFailureLimiter, type FailureLimit } from '../failure-limiter.js';
import type { HttpMetrics, WebhookRouteLabel } from '../metrics.js';
import { WEBHOOKS_ACCOUNTS_PATH, webhooksAccountsRoute } from '../routes/webhooks-accounts.js';
import { WEBHOOKS_SCALEKIT_PATH, webhooksScalekitRoute } from '../routes/webhooks-scalekit.js';
import type { EnqueueReconcile } from './reconcile-request.js';
import type { ReplayGuard } from '../../store/replay-guard.js';
import { createDeliveryCounter } from './delivery-counter.js';
import { createWebhookVerifier } from './webhook-verifier.js';

/** What the two webhook routes need. */
export interface WebhookRoutesOptions {
  /** ORGSYNC_WEBHOOK_SECRET; `undefined` turns `POST /webhooks/accounts` off (503). */
  accountsSecret: string | undefined;
  /** SCALEKIT_WEBHOOK_SECRET; `undefined` turns `POST /webhooks/scalekit` off (503). */
  scalekitSecret: string | undefined;
  replayGuard: ReplayGuard;
  enqueueReconcile: EnqueueReconcile;
  rules: DomainRules;
  metrics: HttpMetrics;
  logger: Logger;
  /** Failed signature checks allowed per client address. Default 30 per minute. */
  signatureFailureLimit?: FailureLimit | undefined;
}

/** Default `signatureFailureLimit`: 30 failed checks in a row, one forgiven every 2 s. */
export const DEFAULT_SIGNATURE_FAILURE_LIMIT: FailureLimit = { maxFailures: 30, perMs: 60_000 };

const ROUTE_LABELS: ReadonlyMap<string, WebhookRouteLabel> = new Map([
  [WEBHOOKS_ACCOUNTS_PATH, 'accounts'],
  [WEBHOOKS_SCALEKIT_PATH, 'scalekit'],
]);

/**
 * Registers both webhook routes in a scope of their own, whose only body parser keeps
 * `application/json` bodies as the raw bytes: the signature is computed over exactly those bytes,
 * and JSON is parsed only after it verifies. Other media types get 415. The headers are checked
 * before the body is read (see `createWebhookHandler`).
 */
export async function registerWebhookRoutes(app: FastifyInstance, options: WebhookRoutesOptions): Promise<void> {
  const { accountsSecret, scalekitSecret, rules, ...shared } = options;
  const accountsVerifier = accountsSecret === undefined ? undefined : createWebhookVerifier(accountsSecret);
  const scalekitVerifier = scalekitSecret === undefined ? undefined : createWebhookVerifier(scalekitSecret);
  const pipeline = {
    replayGuard: shared.replayGuard,
    signatureFailures: createFailureLimiter(shared.signatureFailureLimit ?? DEFAULT_SIGNATURE_FAILURE_LIMIT),
    enqueue: shared.enqueueReconcile,
    deliveryCounter: createDeliveryCounter(shared.metrics),
    logger: shared.logger,
  };
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.addHook('onResponse', async (request, reply) => {
      const label = ROUTE_LABELS.get(request.routeOptions.url ?? '');
      if (label !== undefined) pipeline.deliveryCounter.countUnhandled(request, label, reply.statusCode);
    });
    scope.route(webhooksAccountsRoute({ ...pipeline, verifier: accountsVerifier, rules }));
    scope.route(webhooksScalekitRoute({ ...pipeline, verifier: scalekitVerifier, rules }));
  });
}
