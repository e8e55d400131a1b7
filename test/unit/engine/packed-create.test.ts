import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CreateReportView, PackedCreate } from '../../../src/engine/packed-create.js';
import { creationChanges } from '../../../src/engine/plan-item.js';
import { account, OWNED_KEYS } from '../../helpers/accounts.js';

describe('PackedCreate', () => {
  it('gives back exactly the account it was packed from, whatever its values hold, absent keys included', () => {
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
          expect(new PackedCreate(a, OWNED_KEYS).account()).toEqual(a);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps an absent key distinct from a null one, in the plan JSON too', () => {
    const a = account('C-2', { metadata: { billing_plan: 'pro', tax_id: null } });
    const packed = new PackedCreate(a, OWNED_KEYS);
    expect(Object.keys(packed.account().metadata)).toEqual(['billing_plan', 'tax_id']);
    const saved = JSON.parse(JSON.stringify(packed.toPlanJSON())) as { desired: { metadata: object } };
    expect(saved.desired.metadata).toEqual({ billing_plan: 'pro', tax_id: null });
    const tricky = account('C-3', { metadata: { billing_plan: 'a\u001fb', invoice_email: null } });
    expect(new PackedCreate(tricky, OWNED_KEYS).account().metadata).toEqual(tricky.metadata);
  });

  it('reads as a create plan item and as a create report item', () => {
    const a = account('C-1', {
      line: 7,
      metadata: { invoice_email: 'a@b.example', billing_plan: null, billing_currency: 'EUR', tax_id: null },
    });
    const packed = new PackedCreate(a, OWNED_KEYS);
    expect(packed).toMatchObject({
      action: 'create',
      externalId: 'us-east-C-1',
      accountId: 'C-1',
      line: 7,
      orgId: null,
      external_id: 'us-east-C-1',
      org_id: null,
      error: null,
    });
    expect(packed.changes).toEqual(creationChanges(a));
    expect(JSON.parse(JSON.stringify(packed))).toEqual({
      external_id: 'us-east-C-1',
      account_id: 'C-1',
      line: 7,
      action: 'create',
      org_id: null,
      changes: creationChanges(a),
      error: null,
    });
    expect(packed.toPlanJSON()).toMatchObject({
      action: 'create',
      externalId: 'us-east-C-1',
      desired: { displayName: a.displayName, metadata: a.metadata },
    });
    expect(JSON.parse(JSON.stringify(new CreateReportView(packed, 'org_9')))).toMatchObject({
      action: 'create',
      org_id: 'org_9',
      line: 7,
    });
  });
});
