import type { RouteOptions } from 'fastify';
import { csvCell } from '../../engine/report-writer.js';
import { formatChanges } from '../../engine/summary-text.js';
import type { ReportItem } from '../../engine/types.js';
import { sendError } from '../http-error.js';
import { lookupRun } from '../run-lookup.js';
import type { RunHistoryReader } from '../run-history-reader.js';

export const RUN_RESULTS_CSV_METHOD = 'GET';
export const RUN_RESULTS_CSV_PATH = '/runs/:id/results.csv';

/** The header of results.csv, as `writeReportFiles` writes it. */
const HEADER = 'action,external_id,account_id,line,org_id,changes,error_code,error_message';

/** One results.csv row, the same columns and quoting (formula-safe) as `writeReportFiles`. */
export function resultsCsvRow(item: ReportItem): string {
  return [
    item.action,
    item.external_id ?? '',
    item.account_id ?? '',
    item.line === null ? '' : String(item.line),
    item.org_id ?? '',
    formatChanges(item.changes),
    item.error?.code ?? '',
    item.error?.message ?? '',
  ]
    .map(csvCell)
    .join(',');
}

/** `GET /runs/:id/results.csv`: one row per report item, as a download. */
export function runResultsCsvRoute(history: RunHistoryReader): RouteOptions {
  return {
    method: RUN_RESULTS_CSV_METHOD,
    url: RUN_RESULTS_CSV_PATH,
    handler: async (request, reply) => {
      const run = await lookupRun(history, request, reply);
      if (run === undefined) return reply;
      if (run.report === null) return sendError(reply, 404, 'not_found', 'this run left no report (the job failed before producing one)');
      const lines = [HEADER, ...run.report.items.map(resultsCsvRow)];
      return reply
        .header('content-disposition', 'attachment; filename="results.csv"')
        .type('text/csv; charset=utf-8')
        .send(`${lines.join('\n')}\n`);
    },
  };
}
