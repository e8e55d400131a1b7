import type { RouteOptions } from 'fastify';
import type { RunHistoryReader } from '../run-history-reader.js';
import { RUN_PAGES_CSP } from '../views/layout.js';
import { renderRunsPage } from '../views/runs-page.js';

export const RUNS_LIST_METHOD = 'GET';
export const RUNS_LIST_PATH = '/runs';

/** `GET /runs`: the run history as an HTML page (behind the admin login). */
export function runsListRoute(history: RunHistoryReader): RouteOptions {
  return {
    method: RUNS_LIST_METHOD,
    url: RUNS_LIST_PATH,
    handler: async (_request, reply) => {
      const runs = await history.list();
      return reply
        .header('content-security-policy', RUN_PAGES_CSP)
        .type('text/html; charset=utf-8')
        .send(renderRunsPage(runs));
    },
  };
}
