import type { RouteOptions } from 'fastify';
import { z } from 'zod';
import { ACTIONS } from '../../engine/report.js';
import type { ItemAction } from '../../engine/types.js';
import { lookupRun } from '../run-lookup.js';
import type { RunHistoryReader } from '../run-history-reader.js';
import { RUN_PAGES_CSP } from '../views/layout.js';
import { renderRunPage, type RunPageQuery } from '../views/run-page.js';

export const RUN_DETAIL_METHOD = 'GET';
export const RUN_DETAIL_PATH = '/runs/:id';

const actions: ReadonlySet<string> = new Set(ACTIONS);

function isAction(value: string): value is ItemAction {
  return actions.has(value);
}

/** Lenient on purpose: an unknown action or page shows everything / the first page rather than an error. */
const querySchema = z.object({
  action: z.string().optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1_000_000).optional().catch(undefined),
});

/** Parses `?action=update&page=2`. */
export function parseRunPageQuery(query: unknown): RunPageQuery {
  const parsed = querySchema.safeParse(query ?? {});
  const action = parsed.success ? parsed.data.action : undefined;
  return {
    action: action !== undefined && isAction(action) ? action : null,
    page: (parsed.success ? parsed.data.page : undefined) ?? 1,
  };
}

/** `GET /runs/:id`: one run's drift report as HTML, filtered by `?action=` (behind the admin login). */
export function runDetailRoute(history: RunHistoryReader): RouteOptions {
  return {
    method: RUN_DETAIL_METHOD,
    url: RUN_DETAIL_PATH,
    handler: async (request, reply) => {
      const run = await lookupRun(history, request, reply);
      if (run === undefined) return reply;
      const page = renderRunPage(run.summary, run.report, parseRunPageQuery(request.query));
      return reply.header('content-security-policy', RUN_PAGES_CSP).type('text/html; charset=utf-8').send(page);
    },
  };
}
