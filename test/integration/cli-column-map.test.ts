import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useCliEmulator } from '../helpers/cli-emulator.js';
import { runCli } from '../helpers/run-cli.js';

/** A CRM export: orgsync's fields under other names, and a column orgsync does not read. */
const EXPORT =
  'Customer,Zone,Company_Name,Billing_Email,Plan,Notes\n' +
  'C1,us-east,Acme,ap@acme.example,pro,first\n' +
  'C2,eu-west,Globex,billing@globex.example,free,second\n';
const MAP = 'account_id=customer,region=zone,display_name=company_name,invoice_email=billing_email,billing_plan=plan';

const cli = useCliEmulator({ per: 'test', dirPrefix: 'orgsync-cli-map-' });

describe('orgsync plan / apply --map', () => {
  it('plans and applies a CSV with other column names, and reports columns by the names it read', async () => {
    const path = await cli.csv('export.csv', EXPORT);
    const reportDir = join(cli.dir, 'plan');
    const plan = await runCli(['plan', '--source', `csv:${path}`, '--map', MAP, '--report-dir', reportDir], cli.env);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    const report = await cli.reportIn(reportDir);
    expect(report.summary).toMatchObject({ accounts: 2, create: 2, invalid: 0 });
    expect(report.items.map((i) => i.external_id)).toEqual(['us-east-C1', 'eu-west-C2']);
    expect(report.unknown_columns).toEqual(['notes']);
    expect(report.unmanaged_keys).toEqual(['billing_currency', 'tax_id']);
    expect(cli.emulator.counters().writes).toEqual({ create: 0, update: 0, delete: 0 });

    const apply = await runCli(['apply', '--source', `csv:${path}`, '--map', MAP], cli.env);
    expect(apply.code).toBe(0);
    expect(cli.emulator.store.getByExternalId('us-east-C1')).toMatchObject({
      display_name: 'Acme',
      metadata: { invoice_email: 'ap@acme.example', billing_plan: 'pro' },
    });
    expect(cli.emulator.store.getByExternalId('eu-west-C2')?.display_name).toBe('Globex');

    // ORGSYNC_COLUMN_MAP says the same: nothing left to do.
    const again = await runCli(['plan', '--source', `csv:${path}`, '--detailed-exitcode'], {
      ...cli.env,
      ORGSYNC_COLUMN_MAP: MAP,
    });
    expect(again.code).toBe(0);
  });

  it('reads a mapped field from its column, not from a column that has the field name', async () => {
    const path = await cli.csv(
      'export.csv',
      'account_id,region,display_name,legal_name\nC1,us-east,Acme typo,Acme Inc.\n',
    );
    const reportDir = join(cli.dir, 'plan');
    const plan = await runCli(
      ['plan', '--source', `csv:${path}`, '--map', 'display_name=legal_name', '--report-dir', reportDir],
      cli.env,
    );
    expect(plan.code).toBe(0);
    const report = await cli.reportIn(reportDir);
    expect(report.items[0]?.changes).toContainEqual({ field: 'display_name', from: null, to: 'Acme Inc.' });
    expect(report.unknown_columns).toEqual(['display_name (not read: --map display_name=legal_name)']);
  });

  it('refuses a mapped column the header lacks, naming the field and the column, before calling Scalekit', async () => {
    const path = await cli.csv('export.csv', EXPORT);
    const result = await runCli(
      ['apply', '--source', `csv:${path}`, '--map', 'account_id=customer,region=zone,display_name=company'],
      cli.env,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('display_name=company');
    expect(result.stderr).toContain('has no column "company" to read display_name from');
    expect(result.stderr).toContain('"company_name"');
    expect(cli.emulator.counters().totals.apiCalls).toBe(0);
  });

  it('refuses a target that is not one of its fields, naming it and the column', async () => {
    const path = await cli.csv('export.csv', EXPORT);
    const result = await runCli(['plan', '--source', `csv:${path}`, '--map', 'company_size=employees'], cli.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`--map: company_size=employees: "company_size" is not one of orgsync's fields`);
    expect(cli.emulator.counters().totals.apiCalls).toBe(0);
  });

  it('shows --map in --help', async () => {
    const help = await runCli(['apply', '--help'], {});
    expect(help.stdout).toContain('--map <field=column,...>');
    expect(help.stdout).toContain('ORGSYNC_COLUMN_MAP');
  });
});
