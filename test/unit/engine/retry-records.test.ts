import { describe, expect, it } from 'vitest';
import type { PlanItem } from '../../../src/engine/plan-item.js';
import { retryRecordsOf, retryTargets } from '../../../src/engine/retry-records.js';
import type { ItemAction, ReportItem } from '../../../src/engine/types.js';

const item = (externalId: string | null, action: ItemAction): ReportItem => ({
  external_id: externalId,
  account_id: externalId?.replace(/^us-east-/, '') ?? 'X',
  line: 2,
  action,
  org_id: null,
  changes: [],
  error: null,
});

const planned = (
  externalId: string,
  action: PlanItem['action'],
  metadata: Record<string, string | null>,
): PlanItem => ({
  action,
  externalId,
  accountId: externalId.replace(/^us-east-/, ''),
  line: 7,
  orgId: null,
  changes: [],
  desired: { displayName: `Name of ${externalId}`, metadata },
});

describe('retry records', () => {
  it('targets the failed and stale items with an external ID, once each, in report order', () => {
    const items = [
      item('us-east-A', 'failed'),
      item('us-east-B', 'create'),
      item('us-east-C', 'stale'),
      item(null, 'failed'),
      item('us-east-A', 'failed'),
      item('us-east-D', 'invalid'),
    ];
    expect(retryTargets(items)).toEqual([
      { externalId: 'us-east-A', accountId: 'A' },
      { externalId: 'us-east-C', accountId: 'C' },
    ]);
  });

  it("builds each target's record from what the plan wanted, keeping only the keys it managed", () => {
    const plan = [
      planned('us-east-A', 'create', { billing_plan: 'pro', tax_id: null }),
      planned('us-east-B', 'create', { billing_plan: 'team' }),
      planned('us-east-C', 'update', {}),
      { ...planned('us-east-E', 'orphan', {}), desired: undefined },
    ];
    const records = retryRecordsOf(
      reportOf([
        item('us-east-A', 'failed'),
        item('us-east-B', 'create'),
        item('us-east-C', 'stale'),
        item('us-east-E', 'failed'),
      ]),
      plan,
      ['us-east', 'eu-west'],
    );
    expect(records).toEqual([
      {
        external_id: 'us-east-A',
        line: 7,
        values: {
          account_id: 'A',
          region: 'us-east',
          display_name: 'Name of us-east-A',
          billing_plan: 'pro',
          tax_id: null,
        },
      },
      {
        external_id: 'us-east-C',
        line: 7,
        values: { account_id: 'C', region: 'us-east', display_name: 'Name of us-east-C' },
      },
    ]);
    expect(retryRecordsOf(reportOf([item('us-east-B', 'create')]), plan, ['us-east'])).toEqual([]);
  });
});

/** The items and the two counts of their summary that `retryRecordsOf` reads. */
function reportOf(items: ReportItem[]): { items: ReportItem[]; summary: { failed: number; stale: number } } {
  const count = (action: string) => items.filter((i) => i.action === action).length;
  return { items, summary: { failed: count('failed'), stale: count('stale') } };
}
