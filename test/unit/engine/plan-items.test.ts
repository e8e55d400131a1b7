import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Account } from '../../../src/domain/types.js';
import { creationChanges, type PlanItem } from '../../../src/engine/plan-item.js';
import { PlanItems } from '../../../src/engine/plan-items.js';
import { ReportItems } from '../../../src/engine/report-items.js';
import { account, OWNED_KEYS } from '../../helpers/accounts.js';

/** A create as the planner plans it. */
function create(a: Account): PlanItem {
  const desired = { displayName: a.displayName, metadata: a.metadata };
  return {
    action: 'create',
    externalId: a.externalId,
    accountId: a.accountId,
    line: a.line,
    orgId: null,
    changes: creationChanges(a),
    desired,
    error: undefined,
  };
}

function roundTrip(item: PlanItem): PlanItem | undefined {
  const [back] = PlanItems.from([item], OWNED_KEYS);
  return back;
}

/** A full garbage collection, so that heap samples measure what is live. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  if (typeof gc === 'function') gc();
}

describe('PlanItems', () => {
  it('gives back exactly the create it was given, whatever its values hold, absent keys included', () => {
    const value = fc.oneof(
      fc.constant(null),
      fc.constant(undefined), // the source had no such column: the key stays out of `metadata`
      fc.string(),
      fc.constantFrom('\u001f', '\u001e', '\u001d', '\u0000x', 'a\u001fb', ''),
    );
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string(),
        fc.nat(),
        fc.tuple(value, value, value, value),
        (id, name, line, values) => {
          const metadata = Object.fromEntries(
            OWNED_KEYS.flatMap((k, i) => (values[i] === undefined ? [] : [[k, values[i]]])),
          );
          const a = account(id, { line, displayName: name, metadata });
          const item = create(a);
          expect(roundTrip(item)).toEqual(item);
          const store = new PlanItems(OWNED_KEYS);
          store.appendCreate(a); // the planner's way: the same item, never built as an object
          expect([...store]).toEqual([item]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps an absent key distinct from a null one, in the plan JSON too', () => {
    const item = create(account('C-2', { metadata: { billing_plan: 'pro', tax_id: null } }));
    const back = roundTrip(item);
    expect(Object.keys(back?.desired?.metadata ?? {})).toEqual(['billing_plan', 'tax_id']);
    const saved = JSON.parse(JSON.stringify(back)) as { desired: { metadata: object } };
    expect(saved.desired.metadata).toEqual({ billing_plan: 'pro', tax_id: null });
    const tricky = create(account('C-3', { metadata: { billing_plan: 'a\u001fb', invoice_email: null } }));
    expect(roundTrip(tricky)?.desired?.metadata).toEqual(tricky.desired?.metadata);
  });

  it('hands out plain objects: a create reads as a plan item and as a report item, and spreads whole', () => {
    const a = account('C-1', {
      line: 7,
      metadata: { invoice_email: 'a@b.example', billing_plan: null, billing_currency: 'EUR', tax_id: null },
    });
    const plan = PlanItems.from([create(a)], OWNED_KEYS);
    const [item] = plan;
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
    expect({ ...item }).toEqual({
      action: 'create',
      externalId: 'us-east-C-1',
      accountId: 'C-1',
      line: 7,
      orgId: null,
      changes: creationChanges(a),
      desired: { displayName: a.displayName, metadata: a.metadata },
      error: undefined,
    });
    expect(JSON.parse(JSON.stringify(ReportItems.ofPlan(plan)))).toEqual([
      {
        external_id: 'us-east-C-1',
        account_id: 'C-1',
        line: 7,
        action: 'create',
        org_id: null,
        changes: creationChanges(a),
        error: null,
      },
    ]);
    const applied = ReportItems.ofApplied(plan, [{ createdOrgId: 'org_9' }]);
    expect([...applied]).toMatchObject([{ action: 'create', org_id: 'org_9', line: 7 }]);
  });

  it('keeps a create whose changes are not those of creating it as it is', () => {
    const item = { ...create(account('C-4')), changes: [{ field: 'display_name', from: null, to: 'edited' }] };
    expect(roundTrip(item)).toEqual(item);
  });

  it('replaces, filters and sorts by line in place, items without a line last', () => {
    const orphan: PlanItem = {
      action: 'orphan',
      externalId: 'us-east-Z',
      accountId: null,
      line: null,
      orgId: 'o',
      changes: [],
    };
    const plan = PlanItems.from(
      [
        orphan,
        create(account('C-5', { line: 5 })),
        create(account('C-3', { line: 3 })),
        create(account('C-4', { line: 3 })),
      ],
      OWNED_KEYS,
    );
    plan.sortByLine();
    expect(Array.from(plan, (i) => i.accountId)).toEqual(['C-3', 'C-4', 'C-5', null]);
    plan.replaceAt(0, { ...orphan, externalId: 'us-east-Y' });
    plan.filter((i) => i.accountId !== 'C-5');
    expect(Array.from(plan, (i) => i.externalId)).toEqual(['us-east-Y', 'us-east-C-4', 'us-east-Z']);
    expect(plan.count).toBe(3);
  });

  it('holds a create in far less memory than the object it hands out', () => {
    const count = 50_000;
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    const plan = new PlanItems(OWNED_KEYS);
    for (let i = 0; i < count; i += 1) {
      const metadata = {
        invoice_email: `billing+${i}@example.com`,
        billing_plan: `plan-${i % 7}`,
        billing_currency: 'EUR',
        tax_id: null,
      };
      plan.append(
        create(
          account(`CUST-${String(i).padStart(7, '0')}`, { line: i + 2, displayName: `Company ${i} Ltd`, metadata }),
        ),
      );
    }
    collectGarbage();
    const perItem = (process.memoryUsage().heapUsed - before) / count;
    expect(plan.count).toBe(count);
    // As the objects it hands out (desired state and changes) these creates take about 1 KB each.
    expect(perItem).toBeLessThan(300);
  });
});
