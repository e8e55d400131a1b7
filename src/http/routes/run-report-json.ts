import type { RouteOptions } from 'fastify';
import { sendError } from '../http-error.js';
import { lookupRun } from '../run-lookup.js';
import type { RunHistoryReader } from '../run-history-reader.js';

export const RUN_REPORT_JSON_METHOD = 'GET';
export const RUN_REPORT_JSON_PATH = '/runs/:id/report.json';

/** `GET /runs/:id/report.json`: the run's report as stored in the history, as a download. */
export function runReportJsonRoute(history: RunHistoryReader): RouteOptions {
  return {
    method: RUN_REPORT_JSON_METHOD,
    url: RUN_REPORT_JSON_PATH,
    handler: async (request, reply) => {
      const run = await lookupRun(history, request, reply);
      if (run === undefined) return reply;
      if (run.report === null)
        return sendError(reply, 404, 'not_found', 'this run left no report (the job failed before producing one)');
      return reply
        .header('content-disposition', 'attachment; filename="report.json"')
        .type('application/json; charset=utf-8')
        .send(`${JSON.stringify(run.report, null, 2)}\n`);
    },
  };
}
