import type { FastifyRequest } from 'fastify';
import type { HttpMetrics, WebhookOutcome, WebhookRouteLabel } from '../metrics.js';

/**
 * Counts every webhook delivery once in `orgsync_webhook_deliveries_total`: by the route's handler
 * when it decided the outcome, otherwise from the response status. One per server (its webhook
 * routes share it), so that no state is kept at module level.
 */
export interface DeliveryCounter {
  /** Counts a delivery whose outcome the route decided. */
  count(request: FastifyRequest, route: WebhookRouteLabel, outcome: WebhookOutcome): void;
  /**
   * Counts a delivery that never reached the handler (too large, wrong media type, bad
   * Content-Length) or that failed inside it unexpectedly; an `onResponse` hook of the webhook routes.
   */
  countUnhandled(request: FastifyRequest, route: WebhookRouteLabel, statusCode: number): void;
}

export function createDeliveryCounter(metrics: HttpMetrics): DeliveryCounter {
  /** Requests whose outcome the route counted. */
  const counted = new WeakSet<FastifyRequest>();
  return {
    count(request, route, outcome) {
      counted.add(request);
      metrics.countWebhookDelivery(route, outcome);
    },
    countUnhandled(request, route, statusCode) {
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
    },
  };
}
