import { pino } from 'pino';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applySavedPlan } from '../../src/engine/run.js';
import { readSavedPlan, writeSavedPlan } from '../../src/engine/saved-plan.js';
import { CSV_HEADER, RULES, useHarnessPerTest } from '../helpers/engine-harness.js';

const startHarness = useHarnessPerTest();

const settings = { allowDelete: false, adopt: false, concurrency: 4, deleteMaxCount: 10, deleteMaxPercent: 10 };

describe('orgsync plan --out / apply PLAN_FILE', () => {
  it('applies exactly the saved plan and reports organizations changed since as stale', async () => {
    const harness = await startHarness({
      seed: {
        organizations: [
          { id: 'org_1', display_name: 'Alpha old', external_id: 'us-east-A', metadata: { billing_plan: 'free' } },
          {
            id: 'org_2',
            display_name: 'Beta old',
            external_id: 'us-east-B',
            metadata: { billing_plan: 'free', crm: 'x' },
          },
        ],
      },
    });
    const path = await harness.csv(
      'p.csv',
      `${CSV_HEADER}A,us-east,Alpha,,pro,,\nB,us-east,Beta,,pro,,\nC,us-east,Gamma,,,,\nD,us-east,Delta,,,,\n`,
    );
    const { plan } = await harness.run(path, { mode: 'plan' });
    const file = join(harness.dir, 'plan.json');
    await writeSavedPlan(file, plan);

    // Behind the plan's back: A is renamed, B gets a foreign key (not a planned field), D is created.
    harness.emulator.store.update('org_1', { display_name: 'Alpha renamed by hand' });
    harness.emulator.store.update('org_2', { metadata: { billing_plan: 'free', crm: 'x', note: 'added' } });
    harness.emulator.store.create({ display_name: 'Delta by hand', external_id: 'us-east-D' });
    // And the source changes too: a saved plan must not read it again.
    await harness.csv('p.csv', `${CSV_HEADER}A,us-east,Something else,,,,\n`);

    const report = await applySavedPlan(
      { api: harness.api, logger: pino({ level: 'silent' }), rules: RULES },
      await readSavedPlan(file),
      settings,
    );
    const byId = Object.fromEntries(Array.from(report.items, (i) => [i.external_id, i]));
    expect(byId['us-east-A']).toMatchObject({ action: 'stale', error: { code: 'STALE' } });
    expect(byId['us-east-A']?.error?.message).toContain('display_name');
    expect(byId['us-east-B']).toMatchObject({ action: 'update' });
    expect(byId['us-east-C']).toMatchObject({ action: 'create' });
    expect(byId['us-east-D']).toMatchObject({ action: 'stale' });
    expect(report.summary).toMatchObject({ stale: 2, update: 1, create: 1, accounts: 4 });

    const state = await harness.state();
    expect(state.get('us-east-A')?.display_name).toBe('Alpha renamed by hand');
    expect(state.get('us-east-B')).toMatchObject({
      display_name: 'Beta',
      metadata: { billing_plan: 'pro', crm: 'x', note: 'added' },
    });
    expect(state.get('us-east-D')?.display_name).toBe('Delta by hand');
  });

  it('refuses a file that is not a plan, saying what to pass', async () => {
    const harness = await startHarness();
    const file = await harness.csv('not-a-plan.json', '{"hello": 1}');
    await expect(readSavedPlan(file)).rejects.toThrow(/is not an orgsync plan .*orgsync plan --out/);
  });
});
