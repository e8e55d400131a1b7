import type { RouteOptions } from 'fastify';
import type { Registry } from 'prom-client';

export const METRICS_METHOD = 'GET';
export const METRICS_PATH = '/metrics';

/** `GET /metrics`: the registry in Prometheus text format (read-only). */
export function metricsRoute(registry: Registry): RouteOptions {
  return {
    method: METRICS_METHOD,
    url: METRICS_PATH,
    handler: async (_request, reply) => {
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    },
  };
}
