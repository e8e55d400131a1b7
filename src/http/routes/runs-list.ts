import type { RouteOptions } from 'fastify';
import { z } from 'zod';
import { isRunKind, RUN_KINDS, unknownRunKindMessage } from '../../store/run-history.js';
import { sendError } from '../http-error.js';
import type { RunHistoryReader } from '../run-history-reader.js';
import { RUN_PAGES_CSP } from '../views/layout.js';
import { renderRunsPage } from '../views/runs-page.js';

export const RUNS_LIST_METHOD = 'GET';
export const RUNS_LIST_PATH = '/runs';

const querySchema = z.object({ kind: z.string().max(100).optional() });

/**
 * `GET /runs[?kind=KIND]`: the run history as an HTML page (behind the admin login), one section
 * per kind (or only KIND) with its chart and its runs. An unknown kind is a 400 naming the kinds.
 */
export function runsListRoute(history: RunHistoryReader): RouteOptions {
  return {
    method: RUNS_LIST_METHOD,
    url: RUNS_LIST_PATH,
    handler: async (request, reply) => {
      const query = querySchema.safeParse(request.query);
      if (!query.success)
        return sendError(reply, 400, 'bad_request', `kind: give one kind, one of ${RUN_KINDS.join(', ')}`, 'kind');
      const { kind } = query.data;
      if (kind !== undefined && !isRunKind(kind))
        return sendError(reply, 400, 'bad_request', unknownRunKindMessage(kind), 'kind');
      // One read: every kind's runs, newest first, then grouped (each kind keeps its own retention).
      const runs = await history.list(undefined, kind === undefined ? {} : { kind });
      const byKind = (kind === undefined ? RUN_KINDS : [kind]).map((k) => ({
        kind: k,
        runs: runs.filter((run) => run.kind === k),
      }));
      return reply
        .header('content-security-policy', RUN_PAGES_CSP)
        .type('text/html; charset=utf-8')
        .send(renderRunsPage(byKind, RUN_KINDS, kind));
    },
  };
}
