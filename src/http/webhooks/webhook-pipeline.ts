import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { InvalidPayloadError } from '../../job-errors.js';
import { coerceError } from '../../errors.js';
import { retryAfterSeconds, type FailureLimiter } from '../failure-limiter.js';
import { sendError } from '../http-error.js';
import type { WebhookOutcome, WebhookRouteLabel } from '../metrics.js';
import type { DeliveryCounter } from './delivery-counter.js';
import type { ReplayGuard } from '../../store/replay-guard.js';
import type { SignedDelivery, WebhookVerifier } from './webhook-verifier.js';

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
  /** Failed signature checks per client address (shared by both routes): 429 once spent. */
  signatureFailures: FailureLimiter;
  /** Checks the parsed JSON against the route's schema and says what to do. Never throws. */
  decide(body: unknown): WebhookDecision<P>;
  enqueue: WebhookEnqueue<P>;
  /** The body field behind a job payload field, to name it in a 422 (e.g. `external_id` → `data.external_id`). */
  bodyFieldOf?: (payloadField: string) => string;
  /** The server's count of deliveries by outcome (shared by its webhook routes). */
  deliveryCounter: DeliveryCounter;
  logger: Logger;
}

/** Strict UTF-8: bytes that are not UTF-8 are not JSON. A leading BOM is dropped. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The first problem of an `InvalidPayloadError` as a field and a message (`account.x: too big`). */
function describePayloadError(error: InvalidPayloadError, bodyFieldOf: (field: string) => string) {
  const problem = error.problems[0] ?? 'payload: invalid';
  const colon = problem.indexOf(': ');
  const payloadField = colon > 0 ? problem.slice(0, colon) : '(payload)';
  const field = payloadField === '(payload)' ? 'body' : bodyFieldOf(payloadField);
  return { field, message: `${field}: ${colon > 0 ? problem.slice(colon + 2) : problem}` };
}

/**
 * The one path of every webhook (style §8), in two parts:
 * - `onRequest`, before a byte of the body is read: the route is configured (503), the address has
 *   not spent its failed signature checks (429 with Retry-After), the headers are there and the
 *   timestamp is in the window (401). An unsigned 1 MiB post costs no more than its headers.
 * - `handler`: the signature over the raw bytes (401), strict UTF-8 JSON (400), the route's schema
 *   (422), replays of a `webhook-id` (200), enqueue (202 with the job ID; 422 when the job's own
 *   schema refuses the payload, 503 when the queue is down). The `webhook-id` is recorded only
 *   once the job is queued, so a delivery that failed or was cut short is retried, not "replayed".
 * No sync work happens in the request. The body is never logged.
 */
export function createWebhookHandler<P>(options: WebhookPipelineOptions<P>) {
  const { route, deliveryCounter, logger, signatureFailures } = options;
  const bodyFieldOf = options.bodyFieldOf ?? ((field: string) => field);
  /** The checked headers of each request that passed the pre-body gate. */
  const deliveries = new WeakMap<FastifyRequest, SignedDelivery>();
  const done = (request: FastifyRequest, outcome: WebhookOutcome): void =>
    deliveryCounter.count(request, route, outcome);
  const refuseSignature = (request: FastifyRequest, reply: FastifyReply, message: string): FastifyReply => {
    signatureFailures.recordFailure(request.ip);
    done(request, 'invalid_signature');
    return sendError(reply, 401, 'invalid_signature', message);
  };

  async function onRequest(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (options.verifier === undefined) {
      done(request, 'not_configured');
      return sendError(
        reply,
        503,
        'webhook_not_configured',
        `${request.url.split('?')[0] ?? ''} is off: set ${options.secretSetting} (whsec_...) to receive these webhooks`,
      );
    }
    const waitMs = signatureFailures.blockedForMs(request.ip);
    if (waitMs > 0) {
      done(request, 'rate_limited');
      reply.header('retry-after', retryAfterSeconds(waitMs));
      return sendError(
        reply,
        429,
        'too_many_requests',
        'too many failed signature checks from this address; retry after the number of seconds in Retry-After',
      );
    }
    const checked = options.verifier.checkHeaders(request.headers);
    if (!checked.ok) return refuseSignature(request, reply, checked.message);
    deliveries.set(request, checked.delivery);
    return undefined;
  }

  async function handler(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const delivery = deliveries.get(request);
    if (options.verifier === undefined || delivery === undefined)
      throw new Error('webhook handler reached without its onRequest check');
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (!options.verifier.verifyBody(raw, delivery))
      return refuseSignature(
        request,
        reply,
        'webhook-signature does not match: check the secret and that the body is sent unchanged',
      );
    let body: unknown;
    try {
      body = JSON.parse(utf8.decode(raw));
    } catch {
      // The message of JSON.parse may quote the body: say only what is wrong.
      done(request, 'invalid_json');
      return sendError(reply, 400, 'invalid_json', 'the body is not valid JSON (UTF-8)');
    }
    const decision = options.decide(body);
    const { webhookId } = delivery;
    if (decision.kind === 'invalid') {
      done(request, 'invalid_payload');
      return sendError(reply, 422, 'validation_failed', decision.message, decision.field);
    }
    if (decision.kind === 'ignore') {
      done(request, 'ignored');
      logger.debug({ route, webhook_id: webhookId, reason: decision.reason }, 'webhook ignored');
      return reply.code(200).send({ ignored: true, reason: decision.reason });
    }
    try {
      if (await options.replayGuard.seen(route, webhookId)) {
        done(request, 'replayed');
        logger.info({ route, webhook_id: webhookId }, 'webhook replayed; ignored');
        return reply.code(200).send({ replayed: true });
      }
    } catch (error) {
      done(request, 'error');
      logger.error({ route, webhook_id: webhookId, err: coerceError(error) }, 'webhook id could not be checked');
      return sendError(reply, 503, 'service_unavailable', 'Redis is unavailable; retry the delivery later');
    }
    let queued: { jobId: string; deduplicated: boolean };
    try {
      queued = await options.enqueue(decision.payload);
    } catch (error) {
      if (error instanceof InvalidPayloadError) {
        // Retrying cannot help: a 4xx, so the sender stops.
        done(request, 'invalid_payload');
        const { field, message } = describePayloadError(error, bodyFieldOf);
        return sendError(reply, 422, 'validation_failed', message, field);
      }
      done(request, 'error');
      logger.error({ route, webhook_id: webhookId, err: coerceError(error) }, 'webhook could not be enqueued');
      return sendError(reply, 503, 'service_unavailable', 'the job queue is unavailable; retry the delivery later');
    }
    // Recorded only now: a crash before this line leaves the id free, and the sender's retry is queued.
    await options.replayGuard.claim(route, webhookId, delivery.timestampSeconds).catch((error: unknown) => {
      logger.warn({ route, webhook_id: webhookId, err: coerceError(error) }, 'webhook id could not be recorded');
    });
    done(request, queued.deduplicated ? 'deduplicated' : 'accepted');
    logger.info(
      {
        route,
        webhook_id: webhookId,
        job_id: queued.jobId,
        external_id: decision.externalId,
        deduplicated: queued.deduplicated,
      },
      'webhook accepted',
    );
    return reply.code(202).send({ job_id: queued.jobId, deduplicated: queued.deduplicated });
  }

  return { onRequest, handler };
}
