import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useCliEmulator } from '../helpers/cli-emulator.js';
import { runCli } from '../helpers/run-cli.js';

const HEADER = 'account_id,region,display_name,invoice_email,billing_plan,billing_currency,tax_id\n';
const KEYS = { invoice_email: 'ap@one.example', billing_plan: 'pro', billing_currency: 'USD', tax_id: 'T-1' };
const cli = useCliEmulator({ per: 'test', dirPrefix: 'orgsync-cli-safety-' });

function seed(externalId: string, displayName: string, metadata: Record<string, string> = {}): void {
  cli.emulator.store.create({ display_name: displayName, external_id: externalId, metadata });
}

describe('orgsync plan / apply with ordinary but incomplete input', () => {
  it('a CSV with fewer columns writes nothing, keeps the keys, and says which keys and columns it ignored', async () => {
    seed('us-east-C1', 'One', KEYS);
    const path = await cli.csv(
      'few.csv',
      'account_id,region,display_name,billing_plan,tax id\nC1,us-east,One,pro,T-1\n',
    );
    const reportDir = join(cli.dir, 'few');
    const plan = await runCli(['plan', '--source', `csv:${path}`, '--report-dir', reportDir], cli.env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      'not managed in this run: invoice_email, billing_currency, tax_id (no such column in the source',
    );
    expect(plan.stdout).toContain('columns orgsync does not read (ignored): "tax id"');
    expect((await cli.reportIn(reportDir)).unmanaged_keys).toEqual(['invoice_email', 'billing_currency', 'tax_id']);
    expect(await readFile(join(reportDir, 'summary.md'), 'utf8')).toContain('not managed in this run');

    const writes = cli.emulator.counters().writes;
    const apply = await runCli(['apply', '--source', `csv:${path}`], cli.env);
    expect(apply.code).toBe(0);
    expect(cli.emulator.counters().writes).toEqual(writes);
    expect(cli.emulator.store.getByExternalId('us-east-C1')?.metadata).toEqual(KEYS);
  });

  it('a typo in a region under --scope full --allow-delete deletes nothing, and says why', async () => {
    seed('us-east-CUST-1', 'One');
    seed('us-east-CUST-2', 'Two');
    const path = await cli.csv('typo.csv', `${HEADER}CUST-1,us-east,One,,,,\nCUST-2,us--east,Two,,,,\n`);
    const result = await runCli(['apply', '--source', `csv:${path}`, '--scope', 'full', '--allow-delete'], cli.env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/invalid +account CUST-2 \(line 3\) +REGION_UNKNOWN: region "us--east"/);
    expect(result.stdout).toMatch(
      /orphan +us-east-CUST-2 +DELETE_WITHHELD_ROW: not deleted: the invalid row on line 3 has account_id "CUST-2"/,
    );
    expect(cli.emulator.store.getByExternalId('us-east-CUST-2')).toBeDefined();
  });
});

describe('--region', () => {
  it('an unknown region is one configuration error naming --region, before anything is read', async () => {
    const path = await cli.csv(
      'r.csv',
      `${HEADER}${Array.from({ length: 30 }, (_, i) => `R${i},,Name ${i},,,,`).join('\n')}\n`,
    );
    const result = await runCli(['plan', '--source', `csv:${path}`, '--region', 'mars'], cli.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--region "mars" is not a configured region: use one of us-east');
    expect(result.stderr.match(/mars/g)).toHaveLength(1);
    expect(result.stdout).toBe('');
    const empty = await runCli(['plan', '--source', `csv:${path}`, '--region', ''], cli.env);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('--region is empty');
  });

  it('fills a missing region, and never overrides a region column that says otherwise', async () => {
    const path = await cli.csv('mixed.csv', `${HEADER}A,,Alpha,,,,\nB,us-west,Beta,,,,\nC,US-East,Gamma,,,,\n`);
    const reportDir = join(cli.dir, 'mixed');
    const result = await runCli(
      ['plan', '--source', `csv:${path}`, '--region', 'us-east', '--report-dir', reportDir],
      cli.env,
    );
    expect(result.code).toBe(1);
    const items = (await cli.reportIn(reportDir)).items.map((i) => [i.line, i.action, i.external_id, i.error?.code]);
    expect(items).toEqual([
      [2, 'create', 'us-east-A', undefined],
      [3, 'invalid', null, 'REGION_MISMATCH'],
      [4, 'create', 'us-east-C', undefined],
    ]);
  });
});

describe('--adopt', () => {
  it('adopts only the listed external IDs, warns about the others, and says when a listed ID was not adoptable', async () => {
    cli.emulator.store.create({ display_name: 'Alpha', metadata: {} });
    cli.emulator.store.create({ display_name: 'Beta', metadata: {} });
    const path = await cli.csv('adopt.csv', `${HEADER}A-1,us-east,Alpha,,,,\nB-1,us-east,Beta,,,,\n`);
    const result = await runCli(['apply', '--source', `csv:${path}`, '--adopt', 'us-east-A-1,us-east-Z-9'], cli.env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('warning: us-east-B-1 (line 3) was not created');
    expect(result.stdout).toContain('--adopt us-east-Z-9: not adoptable in this run');
    expect(cli.emulator.store.getByExternalId('us-east-A-1')?.display_name).toBe('Alpha');
    expect(cli.emulator.store.getByExternalId('us-east-B-1')).toBeUndefined();

    const all = await runCli(['apply', '--source', `csv:${path}`, '--adopt'], cli.env);
    expect(all.code).toBe(0);
    expect(cli.emulator.store.getByExternalId('us-east-B-1')?.display_name).toBe('Beta');
  });
});

describe('hostile rows', () => {
  it('20,000 rows of one external ID finish with one bounded message per row', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `SAME-X,us-east,N${i}`).join('\n');
    const path = await cli.csv('dups.csv', `account_id,region,display_name\n${rows}\n`);
    const reportDir = join(cli.dir, 'dups');
    const result = await runCli(['plan', '--source', `csv:${path}`, '--report-dir', reportDir], cli.env, {
      timeoutMs: 60_000,
    });
    expect(result.code).toBe(1);
    const report = await cli.reportIn(reportDir);
    expect(report.summary.conflict).toBe(20_000);
    expect(report.items[0]?.error?.message).toMatch(
      /^external ID us-east-SAME-X appears on lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 19990 more; none of these rows is applied/,
    );
    expect((await readFile(join(reportDir, 'report.json'))).length).toBeLessThan(20_000 * 600);
  });

  it('control characters in a name or a metadata value make the row invalid, naming field and position', async () => {
    const path = await cli.csv(
      'ctl.csv',
      `${HEADER}A,us-east,"Acme\u001b]0;pwned\u0007",,,,\nB,us-east,Beta,,"pro\tplus",,\nC,us-east,\u200b\u200b,,,,\n`,
    );
    const reportDir = join(cli.dir, 'ctl');
    const result = await runCli(['plan', '--source', `csv:${path}`, '--report-dir', reportDir], cli.env);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('\u001b');
    expect(result.stdout).not.toContain('\u0007');
    const items = (await cli.reportIn(reportDir)).items;
    expect(items.map((i) => [i.line, i.error?.code])).toEqual([
      [2, 'DISPLAY_NAME_INVALID'],
      [3, 'METADATA_VALUE_INVALID'],
      [4, 'DISPLAY_NAME_INVISIBLE'],
    ]);
    expect(items[0]?.error?.message).toMatch(
      /display_name ".*" contains a control character \(U\+001B.*at character 5/,
    );
    expect(items[1]?.error?.message).toMatch(
      /billing_plan "pro\\tplus" contains a control character \(U\+0009.*at character 4/,
    );
  });
});
