import type { RouteOptions } from 'fastify';
import { errorBody } from '../http-error.js';
import type { Readiness } from '../readiness.js';

export const READYZ_METHOD = 'GET';
export const READYZ_PATH = '/readyz';

/**
 * `GET /readyz`: 200 `{"status": "ready", "checks": {...}}` when Redis and Scalekit answer in
 * time; otherwise 503 with the error shape, naming the failing parts, plus the same `checks`.
 */
export function readyzRoute(readiness: () => Promise<Readiness>): RouteOptions {
  return {
    method: READYZ_METHOD,
    url: READYZ_PATH,
    handler: async (_request, reply) => {
      const result = await readiness();
      if (result.ready) return { status: 'ready', checks: result.checks };
      const failing = Object.entries(result.checks)
        .filter(([, outcome]) => outcome !== 'ok')
        .map(([name, outcome]) => `${name} (${outcome})`);
      return reply
        .code(503)
        .send({ ...errorBody('not_ready', `not ready: ${failing.join(', ')}`), checks: result.checks });
    },
  };
}
