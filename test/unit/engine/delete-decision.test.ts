import { describe, expect, it } from 'vitest';
import { decideDeletes, type DeleteDecisionInput } from '../../../src/engine/delete-decision.js';
import type { PlanItem } from '../../../src/engine/plan-item.js';

const REGIONS = ['us', 'us-east', 'eu-west'];

function orphan(externalId: string): PlanItem {
  return { action: 'orphan', externalId, accountId: null, line: null, orgId: `org_${externalId}`, changes: [] };
}

function bad(line: number, accountId: string | null, action: 'invalid' | 'conflict' = 'invalid'): PlanItem {
  return { action, externalId: null, accountId, line, orgId: null, changes: [], error: { code: 'X', message: 'x' } };
}

/** The decision input for `items`: thresholds of 10 and 10 %, 1,000 managed, the block off, unless overridden. */
function input(items: PlanItem[], overrides: Partial<DeleteDecisionInput> = {}): DeleteDecisionInput {
  return {
    items: items.map((item, index): [number, PlanItem] => [index, item]),
    regions: REGIONS,
    maxCount: 10,
    maxPercent: 10,
    managedCount: 1000,
    blockOnInvalid: false,
    ...overrides,
  };
}

function decide(items: PlanItem[], overrides: Partial<DeleteDecisionInput> = {}) {
  const decisions = decideDeletes(input(items, overrides));
  // Decisions are keyed by the orphan's index in the plan.
  return items
    .map((item, index) => ({ item, d: decisions.get(index) }))
    .filter(({ item }) => item.action === 'orphan')
    .map(({ item, d }) => [item.externalId, d?.delete ? 'delete' : d?.error.code]);
}

describe('decideDeletes', () => {
  it('deletes orphans when no row is bad and the thresholds hold', () => {
    expect(decide([orphan('us-east-A'), orphan('eu-west-B')])).toEqual([
      ['us-east-A', 'delete'],
      ['eu-west-B', 'delete'],
    ]);
  });

  it('withholds an orphan whose account ID (after the longest region prefix) is that of a bad row, naming its line', () => {
    const items = [
      bad(3, 'CUST-2'),
      bad(9, 'east-X', 'conflict'),
      orphan('us-east-CUST-2'),
      orphan('eu-west-cust-2'),
      orphan('us-east-X'),
      orphan('us-east-Y'),
    ];
    expect(decide(items)).toEqual([
      ['us-east-CUST-2', 'DELETE_WITHHELD_ROW'],
      ['eu-west-cust-2', 'DELETE_WITHHELD_ROW'], // same account ID in another region, another case
      ['us-east-X', 'DELETE_WITHHELD_ROW'], // region `us` + account `east-X` makes this ID too
      ['us-east-Y', 'delete'],
    ]);
    const decisions = decideDeletes(input(items, { managedCount: 9 }));
    const first = decisions.get(2);
    expect(first?.delete === false && first.error.message).toMatch(/row on line 3 has account_id "CUST-2"/);
  });

  it('matches account IDs that differ only in Unicode compatibility forms', () => {
    expect(decide([bad(4, '\uff21-1'), orphan('us-east-A-1')])).toEqual([['us-east-A-1', 'DELETE_WITHHELD_ROW']]);
  });

  it('withholds every orphan when a bad row has no readable account ID', () => {
    const items = [bad(7, null), orphan('us-east-A'), orphan('eu-west-B')];
    expect(decide(items)).toEqual([
      ['us-east-A', 'DELETE_WITHHELD_ROW'],
      ['eu-west-B', 'DELETE_WITHHELD_ROW'],
    ]);
    const decision = decideDeletes(input(items, { managedCount: 9 })).get(1);
    expect(decision?.delete === false && decision.error.message).toMatch(
      /row on line 7 is invalid and its account_id could not be read/,
    );
  });

  it('with the block on, withholds every delete while any row is bad, saying how many and where', () => {
    const items = [bad(12, 'OTHER'), bad(5, 'MORE'), orphan('us-east-A')];
    expect(decide(items, { blockOnInvalid: true })).toEqual([['us-east-A', 'DELETE_WITHHELD_INVALID_ROWS']]);
    const decision = decideDeletes(input(items, { managedCount: 9, blockOnInvalid: true })).get(2);
    expect(decision?.delete === false && decision.error.message).toMatch(
      /2 rows are invalid or in conflict in this run \(the first on line 5\)/,
    );
  });

  it('withholds all above both thresholds, and not when either holds', () => {
    const many = Array.from({ length: 12 }, (_, i) => orphan(`us-east-O${i}`));
    expect(new Set(decide(many, { managedCount: 100 }).map(([, d]) => d))).toEqual(new Set(['DELETE_WITHHELD']));
    expect(new Set(decide(many, { managedCount: 1000 }).map(([, d]) => d))).toEqual(new Set(['delete']));
    expect(new Set(decide(many, { managedCount: 100, maxCount: 12 }).map(([, d]) => d))).toEqual(new Set(['delete']));
  });
});
