import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { jsonWithItems, writeFilesAtomically } from './write-lines.js';
import { formatChanges, renderSummaryMarkdown } from './summary-text.js';
import type { Report, ReportItem, RunReport } from './types.js';

/** The header row of results.csv. */
export const RESULTS_CSV_HEADER = 'action,external_id,account_id,line,org_id,changes,error_code,error_message';

/** The three files a run leaves in `--report-dir`. */
export const REPORT_FILES = ['report.json', 'results.csv', 'summary.md'] as const;

/**
 * Writes report.json, results.csv and summary.md. Items are streamed one per line, so a report of
 * a million items never becomes one giant string. The three are written under temporary names and
 * renamed into place once all are complete: never a partial report file (`writeFilesAtomically`).
 */
export async function writeReportFiles(dir: string, report: Report | RunReport): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const { items, ...head } = report;
  const [json, csv, markdown] = REPORT_FILES.map((f) => join(dir, f));
  await writeFilesAtomically([
    { path: json ?? '', chunks: () => jsonWithItems(head, 'items', items) },
    {
      path: csv ?? '',
      chunks: function* () {
        yield `${RESULTS_CSV_HEADER}\n`;
        for (const item of items) yield `${resultsCsvRow(item)}\n`;
      },
    },
    { path: markdown ?? '', chunks: () => [renderSummaryMarkdown(report)] },
  ]);
  return REPORT_FILES.map((f) => join(dir, f));
}

/** One results.csv row: RFC 4180 quoting, formula-safe. */
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

/**
 * RFC 4180 quoting, formula-safe. A spreadsheet runs a cell (or, in a semicolon locale, any part
 * after a `;` or tab) that starts with `= + - @` as a formula: each such start gets a leading `'`,
 * as does a cell that starts with a tab or CR, and every cell with `;`, a tab or a neutralised
 * start is quoted, so it stays one cell whatever separator the spreadsheet assumes.
 */
export function csvCell(value: string): string {
  const leading = /^[\t\r]/.test(value) ? `'${value}` : value;
  const safe = leading.replace(/(^|[;\t])(?=\s*[=+\-@])/g, "$1'");
  const quote = safe !== value || /[",\n\r;\t]/.test(safe);
  return quote ? `"${safe.replace(/"/g, '""')}"` : safe;
}
