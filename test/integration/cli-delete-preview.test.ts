import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { useCliEmulator } from '../helpers/cli-emulator.js';
import { deleteSeed } from '../helpers/delete-seed.js';
import { runCli } from '../helpers/run-cli.js';

const HEADER = 'account_id,region,display_name,invoice_email,billing_plan,billing_currency,tax_id\n';
let other: RunningEmulator | undefined;

/** Ten managed organizations: KEEP-1..KEEP-8 with accounts, GONE-1 (deletable) and GONE-SCIM (SCIM enabled); one foreign. */
const seed = deleteSeed({ extra: [{ id: 'org_foreign', display_name: 'Not ours', external_id: 'legacy-42' }] });

const rows = Array.from({ length: 8 }, (_, i) => `KEEP-${i + 1},us-east,Keep ${i + 1},,,,\n`).join('');

const cli = useCliEmulator({ per: 'test', dirPrefix: 'orgsync-cli-deletes-', seed });

afterEach(async () => {
  await other?.close();
  other = undefined;
});

const NO_WRITES = { create: 0, update: 0, delete: 0 };

describe('orgsync plan --scope full --allow-delete', () => {
  it('lists the deletes apply would make and those withheld with their reasons, writing nothing', async () => {
    const path = await cli.csv('accounts.csv', `${HEADER}${rows}`);
    const reportDir = join(cli.dir, 'plan');
    const plan = await runCli(
      ['plan', '--source', `csv:${path}`, '--scope', 'full', '--allow-delete', '--report-dir', reportDir],
      cli.env,
    );
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(
      /delete\s+us-east-GONE-1\s+organization org_gone would be deleted by apply --allow-delete/,
    );
    expect(plan.stdout).toMatch(/orphan\s+us-east-GONE-SCIM\s+SCIM_DIRECTORY_ENABLED: not deleted/);
    const report = await cli.reportIn(reportDir);
    expect(report.summary).toMatchObject({ delete: 1, orphan: 1, create: 0, update: 0 });
    const byId = Object.fromEntries(report.items.map((i) => [i.external_id, i]));
    expect(byId['us-east-GONE-1']).toMatchObject({
      action: 'delete',
      org_id: 'org_gone',
      changes: [{ field: 'external_id', from: 'us-east-GONE-1', to: null }],
    });
    expect(byId['us-east-GONE-SCIM']).toMatchObject({ action: 'orphan', error: { code: 'SCIM_DIRECTORY_ENABLED' } });
    expect(byId['us-east-GONE-SCIM']?.error?.message).toContain('disable SCIM provisioning');
    expect(byId['legacy-42']).toBeUndefined();
    expect(cli.emulator.counters().writes).toEqual(NO_WRITES);

    // What the plan showed is what apply does.
    const apply = await runCli(['apply', '--source', `csv:${path}`, '--scope', 'full', '--allow-delete'], cli.env);
    expect(apply.code).toBe(0);
    expect(cli.emulator.counters().writes).toEqual({ create: 0, update: 0, delete: 1 });
    expect(cli.emulator.store.getByExternalId('us-east-GONE-1')).toBeUndefined();
    expect(cli.emulator.store.getByExternalId('us-east-GONE-SCIM')).toBeDefined();
  });

  it('shows deletes withheld by an invalid row exactly as apply withholds them', async () => {
    const path = await cli.csv('accounts.csv', `${HEADER}${rows}GONE-1,nowhere,Gone,,,,\n`);
    const reportDir = join(cli.dir, 'plan');
    const plan = await runCli(
      ['plan', '--source', `csv:${path}`, '--scope', 'full', '--allow-delete', '--report-dir', reportDir],
      cli.env,
    );
    expect(plan.code).toBe(1);
    const report = await cli.reportIn(reportDir);
    expect(report.summary).toMatchObject({ delete: 0, orphan: 2, invalid: 1 });
    const gone = report.items.find((i) => i.external_id === 'us-east-GONE-1');
    expect(gone?.error?.code).toBe('DELETE_WITHHELD_ROW');
    expect(gone?.error?.message).toContain('line 10');
    expect(cli.emulator.counters().writes).toEqual(NO_WRITES);
  });

  it('is a usage error without --scope full, for plan and apply alike, and nothing is read or written', async () => {
    const path = await cli.csv('accounts.csv', `${HEADER}${rows}`);
    for (const command of ['plan', 'apply']) {
      const result = await runCli([command, '--source', `csv:${path}`, '--allow-delete'], cli.env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('--allow-delete');
      expect(result.stderr).toContain('add --scope full');
    }
    expect(cli.emulator.counters().writes).toEqual(NO_WRITES);
    expect(cli.emulator.counters().totals.apiCalls).toBe(0);
  });
});

describe('orgsync apply PLAN_FILE', () => {
  it('a plan saved with --allow-delete deletes what it showed when applied, and nothing else', async () => {
    const path = await cli.csv('accounts.csv', `${HEADER}${rows}`);
    const file = join(cli.dir, 'plan.json');
    const plan = await runCli(
      ['plan', '--source', `csv:${path}`, '--scope', 'full', '--allow-delete', '--out', file],
      cli.env,
    );
    expect(plan.code).toBe(0);
    const saved = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({
      orgsync_plan: 2,
      environment_url: cli.emulator.url,
      allow_delete: true,
      delete_policy: { max_count: 10, max_percent: 10, block_on_invalid: true },
      regions: ['us-east', 'us-west', 'eu-west', 'eu-central', 'ap-south', 'ap-southeast'],
      metadata_keys: ['invoice_email', 'billing_plan', 'billing_currency', 'tax_id'],
    });
    expect(cli.emulator.counters().writes).toEqual(NO_WRITES);

    const reportDir = join(cli.dir, 'apply');
    const apply = await runCli(['apply', file, '--report-dir', reportDir], cli.env);
    expect(apply.code).toBe(0);
    expect((await cli.reportIn(reportDir)).summary).toMatchObject({ delete: 1, orphan: 1 });
    expect(cli.emulator.counters().writes).toEqual({ create: 0, update: 0, delete: 1 });
    expect(cli.emulator.store.getByExternalId('us-east-GONE-1')).toBeUndefined();
  });

  it('a plan saved without --allow-delete deletes nothing, and refuses --allow-delete at apply', async () => {
    const path = await cli.csv('accounts.csv', `${HEADER}${rows}`);
    const file = join(cli.dir, 'plan.json');
    expect((await runCli(['plan', '--source', `csv:${path}`, '--scope', 'full', '--out', file], cli.env)).code).toBe(0);
    const refused = await runCli(['apply', file, '--allow-delete'], cli.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('was made without --allow-delete');
    expect(refused.stderr).toContain('orgsync plan --scope full --allow-delete');
    expect(cli.emulator.counters().writes).toEqual(NO_WRITES);

    const apply = await runCli(['apply', file], cli.env);
    expect(apply.code).toBe(0);
    expect(cli.emulator.counters().writes).toEqual(NO_WRITES);
    expect(cli.emulator.store.getByExternalId('us-east-GONE-1')).toBeDefined();
  });

  it('refuses a plan made for another environment or other settings, naming the difference', async () => {
    const path = await cli.csv('accounts.csv', `${HEADER}KEEP-9,us-east,New,,,,\n`);
    const file = join(cli.dir, 'plan.json');
    expect((await runCli(['plan', '--source', `csv:${path}`, '--out', file], cli.env)).code).toBe(0);

    other = await startEmulator({ port: 0, clientId: 'cli-id', clientSecret: 'cli-secret' });
    const elsewhere = await runCli(['apply', file], { ...cli.env, SCALEKIT_ENVIRONMENT_URL: other.url });
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain(`was made for ${cli.emulator.url}, this run targets ${other.url}`);
    expect(elsewhere.stderr).toContain('re-plan');
    expect(other.counters().totals.apiCalls).toBe(0);

    const keys = await runCli(['apply', file], { ...cli.env, ORGSYNC_METADATA_KEYS: 'invoice_email,billing_plan' });
    expect(keys.code).toBe(1);
    expect(keys.stderr).toContain('ORGSYNC_METADATA_KEYS=invoice_email,billing_plan');
    const regions = await runCli(['apply', file], { ...cli.env, ORGSYNC_REGIONS: 'us-east' });
    expect(regions.code).toBe(1);
    expect(regions.stderr).toContain('this run has ORGSYNC_REGIONS=us-east');
    expect(cli.emulator.counters().writes).toEqual(NO_WRITES);

    // Regions in another order are the same settings.
    const reordered = await runCli(['apply', file], {
      ...cli.env,
      ORGSYNC_REGIONS: 'ap-southeast,ap-south,eu-central,eu-west,us-west,us-east',
    });
    expect(reordered.code).toBe(0);
    expect(cli.emulator.counters().writes).toEqual({ create: 1, update: 0, delete: 0 });
  });

  it('refuses a plan with deletes when the delete thresholds changed since', async () => {
    const path = await cli.csv('accounts.csv', `${HEADER}${rows}`);
    const file = join(cli.dir, 'plan.json');
    await runCli(['plan', '--source', `csv:${path}`, '--scope', 'full', '--allow-delete', '--out', file], cli.env);
    const result = await runCli(['apply', file], { ...cli.env, ORGSYNC_DELETE_MAX_COUNT: '50' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ORGSYNC_DELETE_MAX_COUNT=10, this run has 50');
    expect(cli.emulator.counters().writes).toEqual(NO_WRITES);
  });

  it('refuses a plan saved by an earlier orgsync, saying to re-plan', async () => {
    const file = join(cli.dir, 'old.json');
    await writeFile(
      file,
      JSON.stringify({
        orgsync_plan: 1,
        run_id: 'r',
        created_at: '2026-01-01T00:00:00Z',
        source: 'csv:x.csv',
        scope: 'partial',
        accounts: 0,
        unchanged: 0,
        managed_count: 0,
        items: [],
      }),
    );
    const result = await runCli(['apply', file], cli.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('saved by an earlier orgsync');
    expect(result.stderr).toContain('re-plan');
  });
});
