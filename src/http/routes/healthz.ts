import type { RouteOptions } from 'fastify';

export const HEALTHZ_METHOD = 'GET';
export const HEALTHZ_PATH = '/healthz';

/** `GET /healthz`: the process is alive and serving HTTP. Touches no dependency. */
export function healthzRoute(): RouteOptions {
  return {
    method: HEALTHZ_METHOD,
    url: HEALTHZ_PATH,
    handler: async () => ({ status: 'ok' }),
  };
}
