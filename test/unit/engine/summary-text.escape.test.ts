import { describe, expect, it } from 'vitest';
import { renderSummaryMarkdown, renderSummaryTable } from '../../../src/engine/summary-text.js';
import type { Report } from '../../../src/engine/types.js';
import { reportSummary } from '../../helpers/report-summary.js';

/** What a terminal would obey or hide: C0 but line feeds, DEL, C1, separators, bidi controls. */
const RAW_CONTROL = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069](?<!\n)/u;

const report: Report = {
  run_id: 'run-1',
  mode: 'plan',
  scope: 'partial',
  source: 'csv:evil\u001b]0;title\u0007.csv',
  started_at: '2026-01-01T00:00:00.000Z',
  finished_at: '2026-01-01T00:00:01.000Z',
  summary: reportSummary({ accounts: 2, create: 1, invalid: 1, api_calls: 1 }),
  items: [
    {
      external_id: 'us-east-A\u009b1',
      account_id: 'A\u009b1',
      line: 2,
      action: 'create',
      org_id: null,
      changes: [{ field: 'display_name', from: null, to: 'Name\u202eevil|pipe\r\nnext' }],
      error: null,
    },
    {
      external_id: null,
      account_id: null,
      line: 3,
      action: 'invalid',
      org_id: null,
      changes: [],
      error: { code: 'DISPLAY_NAME_MISSING', message: 'raw \u007f\u2028 from elsewhere' },
    },
  ],
};

describe('summary text: values from outside are escaped', () => {
  it('the terminal table', () => {
    const table = renderSummaryTable(report);
    expect(table).not.toMatch(RAW_CONTROL);
    expect(table).toContain('csv:evil\\u001b]0;title\\u0007.csv');
    expect(table).toContain('us-east-A\\u009b1 (line 2)');
    expect(table).toContain('Name\\u202eevil|pipe\\r\\nnext');
    expect(table).toContain('raw \\u007f\\u2028 from elsewhere');
  });

  it('summary.md: escaped, one line per item, pipes escaped', () => {
    const markdown = renderSummaryMarkdown(report);
    expect(markdown).not.toMatch(RAW_CONTROL);
    expect(markdown).toContain('# orgsync plan: csv:evil\\u001b]0;title\\u0007.csv');
    const rows = markdown.split('\n').filter((line) => /^\| (create|invalid) \| .* \| [23] \|/.test(line));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('Name\\u202eevil\\|pipe\\r\\nnext');
  });
});
