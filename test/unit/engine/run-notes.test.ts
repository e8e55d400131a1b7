import { describe, expect, it } from 'vitest';
import { createColumnCensus } from '../../../src/engine/column-census.js';
import { buildReport } from '../../../src/engine/report.js';
import { renderSummaryMarkdown, renderSummaryTable } from '../../../src/engine/summary-text.js';
import type { ReportItem } from '../../../src/engine/types.js';

const KEYS = ['invoice_email', 'Billing_Plan', 'billing_currency', 'tax_id'];

describe('createColumnCensus', () => {
  it('lists the owned keys no record carried, in configured order and spelling, and the columns orgsync does not read', () => {
    const census = createColumnCensus(KEYS);
    census.note({ account_id: 'A', region: 'us-east', display_name: 'A', billing_plan: 'pro', taxid: 'x' });
    census.note({ account_id: 'B', region: 'us-east', display_name: 'B', tax_id: null, updated_at: 'x' });
    expect(census.unmanagedKeys()).toEqual(['invoice_email', 'billing_currency']);
    expect(census.unknownColumns()).toEqual(['taxid']);
  });

  it('keeps at most 20 unknown column names, however many fields the records bring', () => {
    const census = createColumnCensus(KEYS);
    for (let i = 0; i < 1000; i += 1) census.note({ [`field_${i}`]: 'x' });
    expect(census.unknownColumns()).toHaveLength(21);
    expect(census.unknownColumns().at(-1)).toBe('…');
  });
});

function report(items: ReportItem[], extra: { unmanagedKeys?: string[]; unknownColumns?: string[] } = {}) {
  return buildReport({
    runId: 'r1',
    mode: 'plan',
    scope: 'partial',
    source: 'csv:a.csv',
    startedAt: new Date(0),
    finishedAt: new Date(1000),
    accounts: items.length,
    unchanged: 0,
    items,
    apiCalls: 1,
    ...extra,
  });
}

describe('the printed summary and summary.md', () => {
  it('say which owned keys were not managed and which columns were not read, once each', () => {
    const r = report([], { unmanagedKeys: ['tax_id', 'billing_currency'], unknownColumns: ['taxid', 'x\u001b[2J'] });
    expect(r.unmanaged_keys).toEqual(['tax_id', 'billing_currency']);
    const table = renderSummaryTable(r);
    expect(
      table.match(/not managed in this run: tax_id, billing_currency \(no such column in the source/g),
    ).toHaveLength(1);
    expect(table).toContain('columns orgsync does not read (ignored): "taxid", "x\\u001b[2J"');
    expect(table).not.toContain('\u001b');
    expect(renderSummaryMarkdown(r)).toContain('- not managed in this run: tax_id, billing_currency');
  });

  it('print nothing of the kind when every owned column was there', () => {
    expect(renderSummaryTable(report([]))).not.toMatch(/not managed|does not read/);
  });

  it('warn about every adoptable item, even when items are not listed', () => {
    const adoptable: ReportItem = {
      external_id: 'us-east-CUST-1',
      account_id: 'CUST-1',
      line: 4,
      action: 'adoptable',
      org_id: 'org_7',
      changes: [{ field: 'external_id', from: null, to: 'us-east-CUST-1' }],
      error: null,
    };
    const table = renderSummaryTable(report([adoptable, { ...adoptable, external_id: 'us-east-CUST-2', line: 5 }]), {
      maxItems: 0,
    });
    expect(table).toContain(
      'warning: us-east-CUST-1 (line 4) was not created: organization org_7 has no external ID and the same name. ' +
        "If it is this customer's, link it with: orgsync apply --adopt us-east-CUST-1; if not, rename it in Scalekit",
    );
    expect(table).toContain('warning: us-east-CUST-2 (line 5)');
  });
});
