import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useCliEmulator } from '../helpers/cli-emulator.js';
import { runCli } from '../helpers/run-cli.js';

const HEADER = 'account_id,region,display_name,invoice_email,billing_plan,billing_currency,tax_id\n';
const cli = useCliEmulator({ per: 'file', dirPrefix: 'orgsync-cli-' });

describe('orgsync plan / apply (the CLI contract)', () => {
  it('lists every missing setting at once and exits 1', async () => {
    const result = await runCli(['plan', '--source', 'csv:x.csv']);
    expect(result.code).toBe(1);
    for (const name of ['SCALEKIT_ENVIRONMENT_URL', 'SCALEKIT_CLIENT_ID', 'SCALEKIT_CLIENT_SECRET'])
      expect(result.stderr).toContain(name);
  });

  it('ends with exit 1 and names the file when the source is missing, writing nothing', async () => {
    const reportDir = join(cli.dir, 'missing-reports');
    const result = await runCli(
      ['plan', '--source', `csv:${join(cli.dir, 'nope.csv')}`, '--report-dir', reportDir],
      cli.env,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nope.csv');
    expect(existsSync(reportDir)).toBe(false);
  });

  it('names the missing columns of a header', async () => {
    const path = await cli.csv('cols.csv', 'account_id,name\nA,B\n');
    const result = await runCli(['plan', '--source', path], cli.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/region/);
    expect(result.stderr).toMatch(/display_name/);
  });

  it('plans with --detailed-exitcode (2 on drift), applies, then plans 0 with zero writes', async () => {
    const path = await cli.csv(
      'ok.csv',
      `${HEADER}A-1,us-east,Alpha,,pro,,\nA-2,eu-west,"Beta, ""the"" company",,,EUR,\n`,
    );
    const reportDir = join(cli.dir, 'reports');
    const plan = await runCli(
      ['plan', '--source', `csv:${path}`, '--detailed-exitcode', '--report-dir', reportDir],
      cli.env,
    );
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(/create\s+2/);
    const report = JSON.parse(await readFile(join(reportDir, 'report.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual([
      'run_id',
      'mode',
      'scope',
      'source',
      'started_at',
      'finished_at',
      'summary',
      'unmanaged_keys',
      'unknown_columns',
      'items',
    ]);
    expect(report).toMatchObject({ unmanaged_keys: [], unknown_columns: [] });
    expect(report).toMatchObject({ mode: 'plan', scope: 'partial', source: `csv:${path}` });
    expect(Object.keys(report.summary as object)).toEqual([
      'accounts',
      'create',
      'update',
      'unchanged',
      'orphan',
      'delete',
      'adoptable',
      'invalid',
      'conflict',
      'stale',
      'failed',
      'api_calls',
    ]);
    const results = await readFile(join(reportDir, 'results.csv'), 'utf8');
    expect(results.split('\n')[0]).toBe('action,external_id,account_id,line,org_id,changes,error_code,error_message');
    expect(results).toContain('create,eu-west-A-2,A-2,3,');
    expect(existsSync(join(reportDir, 'summary.md'))).toBe(true);

    const apply = await runCli(['apply', '--source', path], cli.env);
    expect(apply.code).toBe(0);
    const writes = cli.emulator.counters().writes;
    const again = await runCli(['plan', '--source', path, '--detailed-exitcode'], cli.env);
    expect(again.code).toBe(0);
    const reapply = await runCli(['apply', '--source', path], cli.env);
    expect(reapply.code).toBe(0);
    expect(cli.emulator.counters().writes).toEqual(writes);
  });

  it('exits 1 when any row is invalid, and still applies the good ones', async () => {
    const path = await cli.csv('bad.csv', `${HEADER}B-1,us-east,Good,,,,\nB-2,nowhere,Bad,,,,\n`);
    const result = await runCli(['apply', '--source', path], cli.env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('REGION_UNKNOWN');
    expect(cli.emulator.store.getByExternalId('us-east-B-1')).toBeDefined();
  });

  it('saves a plan with --out and applies exactly it', async () => {
    const path = await cli.csv('saved.csv', `${HEADER}S-1,us-west,Saved One,,,,\n`);
    const planFile = join(cli.dir, 'plan.json');
    const plan = await runCli(['plan', '--source', path, '--out', planFile], cli.env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`orgsync apply ${planFile}`);
    expect(cli.emulator.store.getByExternalId('us-west-S-1')).toBeUndefined();
    const apply = await runCli(['apply', planFile], cli.env);
    expect(apply.code).toBe(0);
    expect(cli.emulator.store.getByExternalId('us-west-S-1')?.display_name).toBe('Saved One');
  });

  it('rejects an unknown scope with a message naming the choices', async () => {
    const result = await runCli(['plan', '--source', 'a.csv', '--scope', 'everything'], cli.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/partial.*full/);
  });
});

describe('orgsync demo (npm start)', () => {
  it('runs with no Redis and no credentials, and ends in step', async () => {
    const result = await runCli(['demo', '--report-dir', join(cli.dir, 'demo-reports')], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Plan again');
    expect(result.stdout).toContain('In step.');
    // Two fixture rows are invalid, so the orphan's delete is withheld, and the demo says why.
    expect(result.stdout).toMatch(
      /orphan +us-east-CUST-0999 +DELETE_WITHHELD_INVALID_ROWS: not deleted: 2 rows are invalid/,
    );
    expect(existsSync(join(cli.dir, 'demo-reports', '2-apply', 'report.json'))).toBe(true);
  });
});
