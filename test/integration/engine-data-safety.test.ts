import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/engine/apply.js';
import type { PlanItem } from '../../src/engine/plan-item.js';
import { PlanItems } from '../../src/engine/plan-items.js';
import { applyOptions, CSV_HEADER, useHarnessPerTest } from '../helpers/engine-harness.js';

const startHarness = useHarnessPerTest();

const APPLY = applyOptions();

function org(externalId: string, displayName: string, metadata: Record<string, string>) {
  return { display_name: displayName, external_id: externalId, metadata };
}

describe('a source without some metadata columns (issue 10, item 1)', () => {
  const keys = { invoice_email: 'ap@one.example', billing_plan: 'pro', billing_currency: 'USD', tax_id: 'T-1' };

  it('plans no change for the keys it does not carry, writes nothing, and lists them as unmanaged', async () => {
    const harness = await startHarness({ seed: { organizations: [org('us-east-C1', 'One', keys)] } });
    const path = await harness.csv(
      'few.csv',
      'account_id,region,display_name,billing_plan,Tax-ID\nC1,us-east,One,pro,x\n',
    );
    const plan = await harness.run(path, { mode: 'plan' });
    expect(plan.report.summary).toMatchObject({ update: 0, unchanged: 1 });
    expect(plan.report.unmanaged_keys).toEqual(['invoice_email', 'billing_currency', 'tax_id']);
    expect(plan.report.unknown_columns).toEqual(['tax-id']);

    const writes = harness.emulator.counters().writes;
    const apply = await harness.run(path, { mode: 'apply' });
    expect(apply.report.summary).toMatchObject({ update: 0, unchanged: 1, failed: 0 });
    expect(harness.emulator.counters().writes).toEqual(writes);
    expect((await harness.state()).get('us-east-C1')?.metadata).toEqual(keys);
  });

  it('still removes a key whose column is present and whose cell is empty', async () => {
    const harness = await startHarness({ seed: { organizations: [org('us-east-C1', 'One', keys)] } });
    const path = await harness.csv(
      'empty.csv',
      'account_id,region,display_name,billing_plan,tax_id\nC1,us-east,One,pro,\n',
    );
    const apply = await harness.run(path, { mode: 'apply' });
    expect([...apply.report.items]).toMatchObject([
      { action: 'update', changes: [{ field: 'metadata.tax_id', from: 'T-1', to: null }] },
    ]);
    expect((await harness.state()).get('us-east-C1')?.metadata).toEqual({
      invoice_email: 'ap@one.example',
      billing_plan: 'pro',
      billing_currency: 'USD',
    });
  });

  it('creates without the absent keys, and a create that meets a 409 leaves them alone', async () => {
    const harness = await startHarness();
    const path = await harness.csv(
      'new.csv',
      'account_id,region,display_name,billing_plan\nN1,us-east,New,pro\nN2,us-east,Raced,pro\n',
    );
    const { plan } = await harness.run(path, { mode: 'plan' });
    // Someone creates N2 between the snapshot and the write, with keys this source does not manage.
    harness.emulator.store.create(org('us-east-N2', 'Raced (manual)', { tax_id: 'T-9', invoice_email: 'x@y.example' }));
    const outcomes = [...(await applyPlan(harness.api, plan.items, APPLY))];
    expect(outcomes.map((o) => o?.action)).toEqual(['create', 'update']);
    expect(outcomes[1]?.changes).toEqual([
      { field: 'display_name', from: 'Raced (manual)', to: 'Raced' },
      { field: 'metadata.billing_plan', from: null, to: 'pro' },
    ]);
    const state = await harness.state();
    expect(state.get('us-east-N1')?.metadata).toEqual({ billing_plan: 'pro' });
    expect(state.get('us-east-N2')?.metadata).toEqual({
      tax_id: 'T-9',
      invoice_email: 'x@y.example',
      billing_plan: 'pro',
    });
  });

  it('keeps absent keys absent through a saved plan', async () => {
    const harness = await startHarness({ seed: { organizations: [org('us-east-C1', 'Old', keys)] } });
    const path = await harness.csv('saved.csv', 'account_id,region,display_name\nC1,us-east,One\nC2,us-east,Two\n');
    const { plan } = await harness.run(path, { mode: 'plan' });
    // As `plan --out` writes it and `apply PLAN_FILE` reads it back (saved-plan.ts).
    const saved = JSON.parse(JSON.stringify(plan)) as Omit<typeof plan, 'items'> & { items: PlanItem[] };
    expect(saved.unmanaged_keys).toEqual(['invoice_email', 'billing_plan', 'billing_currency', 'tax_id']);
    const outcomes = [...(await applyPlan(harness.api, PlanItems.from(saved.items), { ...APPLY, savedPlan: true }))];
    expect(outcomes.map((o) => o?.action)).toEqual(['update', 'create']);
    const state = await harness.state();
    expect(state.get('us-east-C1')).toMatchObject({ display_name: 'One', metadata: keys });
    expect(state.get('us-east-C2')?.metadata).toEqual({});
  });
});

describe('deletes next to a bad row (issue 10, item 2)', () => {
  const seed = {
    organizations: [
      org('us-east-CUST-1', 'One', {}),
      org('us-east-CUST-2', 'Two', {}),
      org('us-east-GONE', 'Gone', {}),
    ],
  };
  const csvText = `${CSV_HEADER}CUST-1,us-east,One,,,,\nCUST-2,us--east,Two,,,,\n`;

  /** A full apply of `csvText` over `seed` that may delete up to 100 organizations. */
  async function applyWithDeletes(extra: { deleteBlockOnInvalid?: boolean }) {
    const harness = await startHarness({ seed });
    const path = await harness.csv('typo.csv', csvText);
    const { report } = await harness.run(path, {
      mode: 'apply',
      scope: 'full',
      allowDelete: true,
      deleteMaxCount: 100,
      ...extra,
    });
    return { harness, report };
  }

  it("withholds the delete of the organization a typo'd row may belong to, naming the row, even with the block off", async () => {
    const { harness, report } = await applyWithDeletes({ deleteBlockOnInvalid: false });
    const byId = new Map(Array.from(report.items, (i) => [i.external_id ?? i.account_id, i]));
    expect(byId.get('us-east-CUST-2')).toMatchObject({ action: 'orphan', error: { code: 'DELETE_WITHHELD_ROW' } });
    expect(byId.get('us-east-CUST-2')?.error?.message).toMatch(/row on line 3 has account_id "CUST-2"/);
    expect(byId.get('us-east-GONE')).toMatchObject({ action: 'delete' });
    const state = await harness.state();
    expect(state.has('us-east-CUST-2')).toBe(true);
    expect(state.has('us-east-GONE')).toBe(false);
  });

  it('deletes nothing at all while a row is invalid, with the default block', async () => {
    const { harness, report } = await applyWithDeletes({});
    expect(report.summary).toMatchObject({ delete: 0, orphan: 2, invalid: 1 });
    const gone = Array.from(report.items).find((i) => i.external_id === 'us-east-GONE');
    expect(gone?.error?.code).toBe('DELETE_WITHHELD_INVALID_ROWS');
    expect((await harness.state()).size).toBe(3);
  });
});

describe('an organization changed since the snapshot (issue 10, item 6)', () => {
  it('is stale, with nothing written, for a name-only and for a metadata update; an unrelated edit is kept', async () => {
    const harness = await startHarness({
      seed: {
        organizations: [
          org('us-east-A', 'A old', { billing_plan: 'pro' }),
          org('us-east-B', 'B', { billing_plan: 'free' }),
          org('us-east-C', 'C old', { billing_plan: 'pro' }),
        ],
      },
    });
    const path = await harness.csv(
      'drift.csv',
      'account_id,region,display_name,billing_plan\nA,us-east,A new,pro\nB,us-east,B,team\nC,us-east,C new,pro\n',
    );
    const { plan } = await harness.run(path, { mode: 'plan' });
    const ids = new Map([...(await harness.state()).values()].map((o) => [o.external_id, o.id]));
    // Between the snapshot and the writes: someone renames A, changes B's plan, and tags C.
    harness.emulator.store.update(ids.get('us-east-A') ?? '', { display_name: 'A by hand' });
    harness.emulator.store.update(ids.get('us-east-B') ?? '', { metadata: { billing_plan: 'enterprise' } });
    harness.emulator.store.update(ids.get('us-east-C') ?? '', { metadata: { billing_plan: 'pro', crm: 'x' } });

    const outcomes = [...(await applyPlan(harness.api, plan.items, APPLY))];
    expect(outcomes.map((o) => [o?.external_id, o?.action])).toEqual([
      ['us-east-A', 'stale'],
      ['us-east-B', 'stale'],
      ['us-east-C', 'update'],
    ]);
    expect(outcomes[0]?.error?.message).toMatch(
      /changed in Scalekit since this run read it: display_name\b.*nothing was written/,
    );
    expect(outcomes[1]?.error?.message).toContain('metadata.billing_plan');
    const state = await harness.state();
    expect(state.get('us-east-A')?.display_name).toBe('A by hand');
    expect(state.get('us-east-B')?.metadata).toEqual({ billing_plan: 'enterprise' });
    expect(state.get('us-east-C')).toMatchObject({
      display_name: 'C new',
      metadata: { billing_plan: 'pro', crm: 'x' },
    });
  });
});

describe('adoption by name (issue 10, item 10)', () => {
  it('adopts only the external IDs given to --adopt', async () => {
    const harness = await startHarness({
      seed: {
        organizations: [
          { display_name: 'Alpha', metadata: {} },
          { display_name: 'Beta', metadata: {} },
        ],
      },
    });
    const path = await harness.csv('adopt.csv', `${CSV_HEADER}A-1,us-east,Alpha,,,,\nB-1,us-east,Beta,,,,\n`);
    const { report } = await harness.run(path, { mode: 'apply', adopt: ['us-east-A-1'] });
    expect(Array.from(report.items, (i) => [i.external_id, i.action])).toEqual([
      ['us-east-A-1', 'update'],
      ['us-east-B-1', 'adoptable'],
    ]);
    const state = await harness.state();
    expect(state.has('us-east-A-1')).toBe(true);
    expect(state.has('us-east-B-1')).toBe(false);
  });
});
