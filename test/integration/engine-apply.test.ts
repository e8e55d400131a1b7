import { describe, expect, it } from 'vitest';
import { loadSeedFile } from '../../src/emulator/server.js';
import { applyOptions, CSV_HEADER, useHarnessPerTest } from '../helpers/engine-harness.js';

const startHarness = useHarnessPerTest();

describe('plan and apply against the emulator', () => {
  it('repairs the demo fixtures, keeps foreign keys, deletes nothing, and leaves nothing to do', async () => {
    const harness = await startHarness({ seed: await loadSeedFile('fixtures/scalekit-seed.json') });
    const path = 'fixtures/accounts.csv';
    const before = await harness.state();

    const plan = await harness.run(path, { mode: 'plan', scope: 'full' });
    expect(plan.report.summary).toMatchObject({
      accounts: 30,
      create: 10,
      update: 4,
      unchanged: 13,
      orphan: 1,
      adoptable: 1,
      invalid: 2,
      conflict: 0,
    });
    expect((await harness.state()).size).toBe(before.size);

    const apply = await harness.run(path, { mode: 'apply', scope: 'full' });
    expect(apply.report.summary).toMatchObject({
      create: 10,
      update: 4,
      orphan: 1,
      adoptable: 1,
      delete: 0,
      failed: 0,
      invalid: 2,
    });
    const after = await harness.state();
    expect(after.get('us-east-CUST-1016')?.metadata).toMatchObject({
      crm_owner: 'jordan',
      support_tier: 'platinum',
      billing_currency: 'USD',
    });
    expect(after.get('us-west-CUST-1012')?.metadata.tax_id).toBeUndefined();
    expect(after.get('us-east-CUST-0999')).toBeDefined();

    const again = await harness.run(path, { mode: 'plan', scope: 'full' });
    expect(again.report.summary).toMatchObject({ create: 0, update: 0, orphan: 1, adoptable: 1 });
    const writesBefore = harness.emulator.counters().writes;
    const reapply = await harness.run(path, { mode: 'apply', scope: 'full' });
    expect(reapply.report.summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    expect(harness.emulator.counters().writes).toEqual(writesBefore);
  });

  it('adopts and deletes only when asked, and then plans nothing', async () => {
    const harness = await startHarness({ seed: await loadSeedFile('fixtures/scalekit-seed.json') });
    const apply = await harness.run('fixtures/accounts.csv', {
      mode: 'apply',
      scope: 'full',
      adopt: true,
      allowDelete: true,
      deleteBlockOnInvalid: false, // the fixture's two bad rows would otherwise hold every delete back
    });
    expect(apply.report.summary).toMatchObject({ delete: 1, adoptable: 0, orphan: 0, failed: 0 });
    const adopted = Array.from(apply.report.items).find((i) => i.account_id === 'CUST-1019');
    expect(adopted).toMatchObject({
      action: 'update',
      changes: expect.arrayContaining([{ field: 'external_id', from: null, to: 'us-east-CUST-1019' }]),
    });
    const state = await harness.state();
    expect(state.get('us-east-CUST-1019')?.metadata).toMatchObject({ crm_owner: 'sam', billing_plan: 'growth' });
    expect(state.has('us-east-CUST-0999')).toBe(false);
    const again = await harness.run('fixtures/accounts.csv', { mode: 'plan', scope: 'full' });
    expect(Array.from(again.report.items).map((i) => i.action)).toEqual(['invalid', 'invalid']);
  });

  it('deletes nothing while any row is invalid (ORGSYNC_DELETE_BLOCK_ON_INVALID, default true), and says why', async () => {
    const harness = await startHarness({ seed: await loadSeedFile('fixtures/scalekit-seed.json') });
    const apply = await harness.run('fixtures/accounts.csv', { mode: 'apply', scope: 'full', allowDelete: true });
    expect(apply.report.summary).toMatchObject({ delete: 0, orphan: 1, invalid: 2 });
    const orphan = Array.from(apply.report.items).find((i) => i.action === 'orphan');
    expect(orphan).toMatchObject({
      external_id: 'us-east-CUST-0999',
      error: { code: 'DELETE_WITHHELD_INVALID_ROWS' },
    });
    expect(orphan?.error?.message).toMatch(/2 rows are invalid or in conflict in this run \(the first on line 28\)/);
    expect(orphan?.error?.message).toContain('ORGSYNC_DELETE_BLOCK_ON_INVALID=false');
    expect((await harness.state()).has('us-east-CUST-0999')).toBe(true);
  });

  it('withholds deletes above the thresholds and never deletes an organization with an enabled SCIM directory', async () => {
    const orgs = Array.from({ length: 12 }, (_, i) => ({
      id: `org_${900 + i}`,
      display_name: `Old ${i}`,
      external_id: `us-east-OLD-${i}`,
      metadata: {},
    }));
    const harness = await startHarness({
      seed: {
        organizations: orgs,
        directories: [{ organization_id: 'org_900', directory_type: 'SCIM', enabled: true }],
      },
    });
    const path = await harness.csv('one.csv', `${CSV_HEADER}NEW-1,us-east,New One,,,,\n`);
    // A plan with --allow-delete shows, item for item, what apply then does; and writes nothing.
    const preview = await harness.run(path, { mode: 'plan', scope: 'full', allowDelete: true });
    const previewAllowed = await harness.run(path, {
      mode: 'plan',
      scope: 'full',
      allowDelete: true,
      deleteMaxCount: 20,
    });
    expect(harness.emulator.counters().writes).toEqual({ create: 0, update: 0, delete: 0 });
    const withheld = await harness.run(path, { mode: 'apply', scope: 'full', allowDelete: true });
    const outcome = (report: typeof preview.report) =>
      Array.from(report.items, (i) => ({ id: i.external_id, action: i.action, code: i.error?.code ?? null }));
    expect(outcome(preview.report)).toEqual(outcome(withheld.report));
    expect(withheld.report.summary).toMatchObject({ orphan: 12, delete: 0, create: 1 });
    expect(Array.from(withheld.report.items).find((i) => i.action === 'orphan')?.error?.code).toBe('DELETE_WITHHELD');

    const allowed = await harness.run(path, { mode: 'apply', scope: 'full', allowDelete: true, deleteMaxCount: 20 });
    expect(allowed.report.summary).toMatchObject({ delete: 11, orphan: 1 });
    expect(previewAllowed.report.summary).toMatchObject({ delete: 11, orphan: 1, create: 1 });
    // The create was applied by the first apply; the deletes are the same, item for item.
    const deletes = (report: typeof preview.report) => outcome(report).filter((i) => i.action !== 'create');
    expect(deletes(previewAllowed.report)).toEqual(deletes(allowed.report));
    const kept = Array.from(allowed.report.items).find((i) => i.action === 'orphan');
    expect(kept).toMatchObject({ org_id: 'org_900', error: { code: 'SCIM_DIRECTORY_ENABLED' } });
    expect(kept?.error?.message).toContain('disable SCIM provisioning in the identity provider first');
  });

  it('never deletes in a partial run, even with --allow-delete', async () => {
    const harness = await startHarness({
      seed: { organizations: [{ display_name: 'Gone', external_id: 'us-east-GONE', metadata: {} }] },
    });
    const path = await harness.csv('one.csv', `${CSV_HEADER}NEW-1,us-east,New One,,,,\n`);
    const result = await harness.run(path, { mode: 'apply', scope: 'partial', allowDelete: true });
    expect(result.report.summary).toMatchObject({ orphan: 0, delete: 0, create: 1 });
    expect((await harness.state()).has('us-east-GONE')).toBe(true);
  });

  it('turns a create that meets an existing external ID into an update', async () => {
    const harness = await startHarness();
    const path = await harness.csv('race.csv', `${CSV_HEADER}R-1,us-east,Racer,,pro,,\n`);
    const { plan } = await harness.run(path, { mode: 'plan' });
    // Someone creates it between the snapshot and the write.
    harness.emulator.store.create({
      display_name: 'Racer (manual)',
      external_id: 'us-east-R-1',
      metadata: { crm_owner: 'x' },
    });
    const { applyPlan } = await import('../../src/engine/apply.js');
    const [outcome] = await applyPlan(harness.api, plan.items, applyOptions({ concurrency: 1 }));
    expect(outcome).toMatchObject({
      action: 'update',
      changes: [
        { field: 'display_name', from: 'Racer (manual)', to: 'Racer' },
        { field: 'metadata.billing_plan', from: null, to: 'pro' },
      ],
    });
    const state = await harness.state();
    expect(state.get('us-east-R-1')?.metadata).toEqual({ crm_owner: 'x', billing_plan: 'pro' });
    expect(state.size).toBe(1);
  });

  it('hands each write that went through to onWritten, as the report shows it, and nothing else', async () => {
    const harness = await startHarness();
    harness.emulator.store.create({ display_name: 'Old name', external_id: 'us-east-W-2', metadata: {} });
    harness.emulator.store.create({ display_name: 'Same', external_id: 'us-east-W-3', metadata: {} });
    const path = await harness.csv(
      'written.csv',
      `${CSV_HEADER}W-1,us-east,New one,,pro,,\nW-2,us-east,New name,,,,\nW-3,us-east,Same,,,,\nW-4,nowhere,Bad,,,,\n`,
    );
    const written: unknown[] = [];
    const { report } = await harness.run(path, {
      mode: 'apply',
      onWritten: async (item) => {
        await Promise.resolve();
        written.push(item);
      },
    });
    const byId = (items: Iterable<{ external_id: string | null }>) =>
      [...items]
        .filter((i) => i.external_id !== null)
        .sort((a, b) => String(a.external_id).localeCompare(String(b.external_id)));
    const reported = byId(report.items).filter(
      (i) => 'action' in i && (i.action === 'create' || i.action === 'update'),
    );
    expect(reported.map((i) => i.external_id)).toEqual(['us-east-W-1', 'us-east-W-2']);
    expect(byId(written as { external_id: string | null }[])).toEqual(reported);
    expect(written[0]).toMatchObject({ org_id: expect.stringMatching(/^org_/) });
  });

  it('looks accounts up one by one when they are few beside the environment', async () => {
    const orgs = Array.from({ length: 450 }, (_, i) => ({
      display_name: `Org ${i}`,
      external_id: `us-west-BIG-${i}`,
      metadata: {},
    }));
    const harness = await startHarness({ seed: { organizations: orgs } });
    const path = await harness.csv(
      'few.csv',
      `${CSV_HEADER}BIG-400,us-west,Org 400,,,,\nBIG-401,us-west,Renamed,,,,\n`,
    );
    const result = await harness.run(path, { mode: 'plan' });
    expect(result.report.summary).toMatchObject({ update: 1, unchanged: 1, api_calls: 3 });
  });
});
