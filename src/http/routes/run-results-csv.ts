import type { RouteOptions } from 'fastify';
import { RESULTS_CSV_HEADER, resultsCsvRow } from '../../engine/report-writer.js';
import { sendError } from '../http-error.js';
import { lookupRun } from '../run-lookup.js';
import type { RunHistoryReader } from '../run-history-reader.js';

export const RUN_RESULTS_CSV_METHOD = 'GET';
export const RUN_RESULTS_CSV_PATH = '/runs/:id/results.csv';

/** `GET /runs/:id/results.csv`: one row per report item, as a download. */
export function runResultsCsvRoute(history: RunHistoryReader): RouteOptions {
  return {
    method: RUN_RESULTS_CSV_METHOD,
    url: RUN_RESULTS_CSV_PATH,
    handler: async (request, reply) => {
      const run = await lookupRun(history, request, reply);
      if (run === undefined) return reply;
      if (run.report === null)
        return sendError(reply, 404, 'not_found', 'this run left no report (the job failed before producing one)');
      const lines = [RESULTS_CSV_HEADER, ...run.report.items.map(resultsCsvRow)];
      return reply
        .header('content-disposition', 'attachment; filename="results.csv"')
        .type('text/csv; charset=utf-8')
        .send(`${lines.join('\n')}\n`);
    },
  };
}
