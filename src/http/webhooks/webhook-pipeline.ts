import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { coerceError } from '../../errors.js';
import { sendError } from '../http-error.js';
import type { HttpMetrics, WebhookOutcome, WebhookRouteLabel } from '../metrics.js';
import type { ReplayGuard } from './replay-guard.js';
import type { WebhookVerifier } from './webhook-verifier.js';

/** What a verified, parsed delivery asks for. */
export type WebhookDecision<P> =
  | { kind: 'invalid'; message: string; field?: string | undefined }
  | { kind: 'ignore'; reason: string }
  | { kind: 'enqueue'; payload: P; externalId: string };

/** Puts one job on the queue; `deduplicated` when a job for the same target was already waiting. */
export type WebhookEnqueue<P> = (payload: P) => Promise<{ jobId: string; deduplicated: boolean }>;

/** Options of `createWebhookHandler`. */
export interface WebhookPipelineOptions<P> {
  route: WebhookRouteLabel;
  /** `undefined` when the route's secret is not configured: every delivery is refused with 503. */
  verifier: WebhookVerifier | undefined;
  /** The environment variable that holds the secret, for the 503 message. */
  secretSetting: string;
  replayGuard: ReplayGuard;
  /** Checks the parsed JSON against the route's schema and says what to do. Never throws. */
  decide(body: unknown): WebhookDecision<P>;
  enqueue: WebhookEnqueue<P>;
  metrics: HttpMetrics;
  logger: Logger;
}

/** Requests whose outcome the handler counted (the rest are counted from their status, see `countUnhandledDelivery`). */
const counted = new WeakSet<FastifyRequest>();

/**
 * The one path of every webhook (style §8): verify the signature on the raw body (401), parse JSON
 * (400), check the schema (422), drop replays of a `webhook-id` (200), enqueue (202 with the job
 * ID). No sync work happens in the request. The body is never logged.
 */
export function createWebhookHandler<P>(options: WebhookPipelineOptions<P>) {
  const { route, metrics, logger } = options;
  return async function handleWebhook(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const done = (outcome: WebhookOutcome): void => {
      counted.add(request);
      metrics.countWebhookDelivery(route, outcome);
    };
    if (options.verifier === undefined) {
      done('not_configured');
      return sendError(
        reply,
        503,
        'webhook_not_configured',
        `${request.url.split('?')[0] ?? ''} is off: set ${options.secretSetting} (whsec_...) to receive these webhooks`,
      );
    }
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const verification = options.verifier(raw, request.headers);
    if (!verification.ok) {
      done('invalid_signature');
      return sendError(reply, 401, 'invalid_signature', verification.message);
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      // The message of JSON.parse may quote the body: say only what is wrong.
      done('invalid_json');
      return sendError(reply, 400, 'invalid_json', 'the body is not valid JSON');
    }
    const decision = options.decide(body);
    const webhookId = verification.webhookId;
    if (decision.kind === 'invalid') {
      done('invalid_payload');
      return sendError(reply, 422, 'validation_failed', decision.message, decision.field);
    }
    if (decision.kind === 'ignore') {
      done('ignored');
      logger.debug({ route, webhook_id: webhookId, reason: decision.reason }, 'webhook ignored');
      return reply.code(200).send({ ignored: true, reason: decision.reason });
    }
    let firstDelivery: boolean;
    try {
      firstDelivery = await options.replayGuard.claim(route, webhookId);
    } catch (error) {
      done('error');
      logger.error(
        { route, webhook_id: webhookId, err: coerceError(error) },
        'webhook id could not be checked for replay',
      );
      return sendError(reply, 503, 'service_unavailable', 'Redis is unavailable; retry the delivery later');
    }
    if (!firstDelivery) {
      done('replayed');
      logger.info({ route, webhook_id: webhookId }, 'webhook replayed; ignored');
      return reply.code(200).send({ replayed: true });
    }
    try {
      const { jobId, deduplicated } = await options.enqueue(decision.payload);
      done(deduplicated ? 'deduplicated' : 'accepted');
      logger.info(
        { route, webhook_id: webhookId, job_id: jobId, external_id: decision.externalId, deduplicated },
        'webhook accepted',
      );
      return reply.code(202).send({ job_id: jobId, deduplicated });
    } catch (error) {
      // Forget the id, so that the sender's retry of this delivery is not taken for a replay.
      await options.replayGuard.release(route, webhookId).catch(() => undefined);
      done('error');
      logger.error({ route, webhook_id: webhookId, err: coerceError(error) }, 'webhook could not be enqueued');
      return sendError(reply, 503, 'service_unavailable', 'the job queue is unavailable; retry the delivery later');
    }
  };
}

/**
 * Counts a delivery that never reached the handler (too large, wrong media type, bad Content-Length)
 * or that failed inside it unexpectedly; an `onResponse` hook of the webhook routes.
 */
export function countUnhandledDelivery(
  metrics: HttpMetrics,
  route: WebhookRouteLabel,
  request: FastifyRequest,
  statusCode: number,
): void {
  if (counted.has(request)) return;
  const outcome: WebhookOutcome =
    statusCode === 413
      ? 'too_large'
      : statusCode === 415
        ? 'unsupported_media_type'
        : statusCode >= 500
          ? 'error'
          : 'rejected';
  metrics.countWebhookDelivery(route, outcome);
}
