import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useCliEmulator } from '../helpers/cli-emulator.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';

/** What a terminal would obey or hide: C0 but line feeds, DEL, C1, separators, bidi controls. */
const RAW_CONTROL = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069](?<!\n)/u;

const HEADER = 'account_id,region,display_name,invoice_email,billing_plan,billing_currency,tax_id\n';
const cli = useCliEmulator({
  per: 'file',
  dirPrefix: 'orgsync-cli-hostile-',
  clientId: 'hostile-id',
  clientSecret: 'hostile-secret',
});

/** Nothing reached Scalekit while `run` ran: no request at all, token included. */
async function withoutScalekit(run: () => Promise<CliResult>): Promise<CliResult> {
  const before = cli.emulator.counters().totals.requests;
  const result = await run();
  expect(cli.emulator.counters().totals.requests).toBe(before);
  return result;
}

/** A plain failure: exit 1, one "orgsync: ..." message, no stack trace, no raw control character. */
function expectPlainFailure(result: CliResult, message: RegExp): void {
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/^orgsync: /);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
  expect(result.stderr).not.toMatch(RAW_CONTROL);
}

/** Applies `path`, then checks that a new plan finds nothing left to do (exit 0 with --detailed-exitcode). */
async function expectApplyThenCleanReplan(path: string): Promise<void> {
  const apply = await runCli(['apply', '--source', `csv:${path}`], cli.env);
  expect(apply.stderr).toBe('');
  expect(apply.code).toBe(0);
  const again = await runCli(['plan', '--source', `csv:${path}`, '--detailed-exitcode'], cli.env);
  expect(again.stdout).toMatch(/create\s+0\s+update\s+0/);
  expect(again.code).toBe(0);
}

describe('--report-dir and --out are checked before the source is read or Scalekit called', () => {
  it('a file given as --report-dir', async () => {
    const path = await cli.csv('rd-file.csv', `${HEADER}RD-1,us-east,Report Dir One\n`);
    const file = await cli.csv('not-a-dir', 'x');
    const result = await withoutScalekit(() => runCli(['apply', '--source', path, '--report-dir', file], cli.env));
    expectPlainFailure(
      result,
      /^orgsync: cannot write to --report-dir .*not-a-dir: it is a file, not a directory; nothing was read or sent to Scalekit\. Fix it or choose another --report-dir\n$/,
    );
    expect(cli.emulator.store.getByExternalId('us-east-RD-1')).toBeUndefined();
  });

  it('report.json being a directory', async () => {
    const path = await cli.csv('rd-json.csv', `${HEADER}RD-2,us-east,Report Dir Two\n`);
    const reportDir = join(cli.dir, 'rd-json');
    await mkdir(join(reportDir, 'report.json'), { recursive: true });
    const result = await withoutScalekit(() => runCli(['apply', '--source', path, '--report-dir', reportDir], cli.env));
    expectPlainFailure(result, /rd-json\/report\.json is a directory, so report\.json cannot be written there/);
    expect(readdirSync(reportDir)).toEqual(['report.json']);
  });

  it.runIf(existsSync('/sys/kernel'))(
    'a directory nobody may create (/sys: permission denied even for root)',
    async () => {
      const path = await cli.csv('rd-perm.csv', `${HEADER}RD-3,us-east,Report Dir Three\n`);
      const result = await withoutScalekit(() =>
        runCli(['apply', '--source', path, '--report-dir', '/sys/orgsync-reports'], cli.env),
      );
      expectPlainFailure(result, /cannot write to --report-dir \/sys\/orgsync-reports: permission denied/);
    },
  );

  it('--out pointing at a directory', async () => {
    const path = await cli.csv('out-dir.csv', `${HEADER}OD-1,us-east,Out Dir\n`);
    const out = join(cli.dir, 'out-is-dir');
    await mkdir(out);
    const result = await withoutScalekit(() => runCli(['plan', '--source', path, '--out', out], cli.env));
    expectPlainFailure(
      result,
      /--out .*out-is-dir: .*out-is-dir is a directory, so out-is-dir cannot be written there/,
    );
  });

  it.each([
    ['apply', '--report-dir'],
    ['plan', '--out'],
  ])('an empty %s %s is a usage error, not "no flag"', async (command, flag) => {
    const path = await cli.csv(`empty-${flag.slice(2)}.csv`, `${HEADER}EF-1,us-east,Empty Flag\n`);
    const result = await withoutScalekit(() => runCli([command, '--source', path, flag, ''], cli.env));
    expect(result.stderr).toMatch(new RegExp(`option '${flag} <\\w+>' argument '' is invalid\\. expected a path`));
    expect(result.code).toBe(1);
  });

  it('creates a missing --report-dir, and removes it again when the run fails before writing', async () => {
    const reportDir = join(cli.dir, 'made', 'for', 'reports');
    const missing = await runCli(['plan', '--source', join(cli.dir, 'nope.csv'), '--report-dir', reportDir], cli.env);
    expect(missing.code).toBe(1);
    expect(existsSync(join(cli.dir, 'made'))).toBe(false);
    const path = await cli.csv('rd-ok.csv', `${HEADER}RD-4,us-east,Report Dir Four\n`);
    const ok = await runCli(['plan', '--source', path, '--report-dir', reportDir], cli.env);
    expect(ok.code).toBe(0);
    expect(readdirSync(reportDir).sort()).toEqual(['report.json', 'results.csv', 'summary.md']);
  });
});

describe('hostile CSVs through the CLI', () => {
  it('a space before a quote reads the quoted name; apply, then a clean re-plan', async () => {
    const path = await cli.csv(
      'space-quote.csv',
      `${HEADER}SP-1, us-east, "Smith, John",, gold\nSP-2,us-west,"Doe, Jane" ,,basic\n`,
    );
    const plan = await runCli(['plan', '--source', path], cli.env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('create    us-east-SP-1 (line 2)  "Smith, John" with billing_plan');
    await expectApplyThenCleanReplan(path);
    expect(cli.emulator.store.getByExternalId('us-east-SP-1')).toMatchObject({
      display_name: 'Smith, John',
      metadata: { billing_plan: 'gold' },
    });
    expect(cli.emulator.store.getByExternalId('us-west-SP-2')?.display_name).toBe('Doe, Jane');
  });

  it('blank lines, ",,,," lines and short rows: apply, then a clean re-plan', async () => {
    const path = await cli.csv(
      'blanks.csv',
      `\n,,,,\n${HEADER}\n${',,,,\n'.repeat(500)}BL-1,us-east,Blank One\n\r\n  ,\t,\nBL-2,eu-west,Blank Two,,pro\n`,
    );
    const plan = await runCli(['plan', '--source', path, '--report-dir', join(cli.dir, 'blank-reports')], cli.env);
    expect(plan.code).toBe(0);
    const report = JSON.parse(await readFile(join(cli.dir, 'blank-reports', 'report.json'), 'utf8')) as {
      summary: { accounts: number };
      items: { line: number }[];
    };
    expect(report.summary.accounts).toBe(2);
    expect(report.items.map((i) => i.line)).toEqual([505, 508]);
    await expectApplyThenCleanReplan(path);
  });

  it('a repeated column orgsync ignores (notes,Notes) does not refuse the run', async () => {
    const path = await cli.csv(
      'notes.csv',
      'account_id,region,display_name,notes,Notes\nNT-1,us-east,Notes Twice,first,second\n',
    );
    await expectApplyThenCleanReplan(path);
    const twice = await cli.csv(
      'plan-twice.csv',
      'account_id,region,display_name,billing_plan,Billing_Plan\nX,us-east,x,a,b\n',
    );
    const refused = await withoutScalekit(() => runCli(['plan', '--source', twice], cli.env));
    expectPlainFailure(refused, /the column "billing_plan" appears twice in the header \(columns 4 and 5\)/);
  });

  it('echoes no raw control character from a header, a file name or a row', async () => {
    const header = await cli.csv(
      'esc-header.csv',
      '\u001b]0;pwned\u0007account_id,\u001b[2Jregion,\u009bname\u202e\nA,b,c\n',
    );
    expectPlainFailure(await runCli(['plan', '--source', header], cli.env), /missing the required column/);
    const named = join(cli.dir, 'evil\u001b[2Jname\u2028.csv');
    expectPlainFailure(await runCli(['plan', '--source', `csv:${named}`], cli.env), /evil\\u001b\[2Jname\\u2028\.csv/);
    const rows = await cli.csv(
      'esc-rows.csv',
      `${HEADER}E\u001b[31m-1,us-east,Name\u009b2J\u202eevil\u0000\nE-2,us-east,Okay\u007fname\u2066x\u2069\n`,
    );
    const reportDir = join(cli.dir, 'esc-reports');
    const plan = await runCli(['plan', '--source', rows, '--report-dir', reportDir], cli.env);
    expect(plan.stdout).not.toMatch(RAW_CONTROL);
    expect(plan.stderr).not.toMatch(RAW_CONTROL);
    expect(plan.stdout).toContain('line 2');
    const summary = await readFile(join(reportDir, 'summary.md'), 'utf8');
    expect(summary).not.toMatch(RAW_CONTROL);
    expect(summary).toContain('\\u007f');
  });

  it('UTF-16 without a byte-order mark is refused naming UTF-16 and --encoding', async () => {
    const path = await cli.csv('utf16.csv', Buffer.from(`${HEADER}U-1,us-east,Utf Sixteen\n`, 'utf16le'));
    const result = await withoutScalekit(() => runCli(['plan', '--source', path], cli.env));
    expectPlainFailure(result, /is UTF-16 text \(little-endian, without a byte-order mark.*Pass --encoding utf-16le/);
    const read = await runCli(['plan', '--source', path, '--encoding', 'utf-16le'], cli.env);
    expect(read.code).toBe(0);
    expect(read.stdout).toContain('us-east-U-1');
  });

  it('--encoding base64 and a mismatched utf-16be are refused in plain words', async () => {
    const path = await cli.csv('plain.csv', `${HEADER}P-1,us-east,Plain\n`);
    expectPlainFailure(
      await runCli(['plan', '--source', path, '--encoding', 'base64'], cli.env),
      /is a binary-to-text coding, not a text encoding/,
    );
    const le = await cli.csv('le-bom.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(HEADER, 'utf16le')]));
    expectPlainFailure(
      await runCli(['plan', '--source', le, '--encoding', 'utf-16be'], cli.env),
      /is UTF-16LE text \(it starts with a little-endian UTF-16 byte-order mark\), but --encoding utf-16be was given: pass --encoding utf-16le/,
    );
  });

  it.runIf(process.platform !== 'win32')('a FIFO is refused at once, not waited on forever', async () => {
    const fifo = join(cli.dir, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    const result = await withoutScalekit(() =>
      runCli(['plan', '--source', `csv:${fifo}`], cli.env, { timeoutMs: 20_000 }),
    );
    expectPlainFailure(result, /it is a named pipe \(FIFO\), not a regular file/);
  });

  it('a symbolic link loop gives a plain reason and the path once', async () => {
    const loop = join(cli.dir, 'loop.csv');
    execFileSync('ln', ['-s', loop, loop]);
    const result = await runCli(['plan', '--source', loop], cli.env);
    expectPlainFailure(result, /loop of symbolic links/);
    expect(result.stderr).not.toMatch(/ELOOP/);
    expect(result.stderr.split(loop).length - 1).toBe(1);
  });
});

describe('plain messages for the wrong thing in the wrong place', () => {
  it('orgsync apply accounts.csv suggests --source csv:accounts.csv', async () => {
    const path = await cli.csv('accounts.csv', `${HEADER}AP-1,us-east,Apply Csv\n`);
    const result = await withoutScalekit(() => runCli(['apply', path], cli.env));
    expectPlainFailure(
      result,
      /is not a saved plan \(not JSON\): it looks like a CSV of accounts\. To apply it, run: orgsync apply --source csv:.*accounts\.csv/,
    );
  });

  it('orgsync emulator on a busy port: a plain message and exit 1', async () => {
    const port = new URL(cli.emulator.url).port;
    const result = await runCli(['emulator', '--port', port, '--log-level', 'silent'], {}, { timeoutMs: 20_000 });
    expectPlainFailure(
      result,
      new RegExp(`^orgsync: the emulator cannot listen on 127\\.0\\.0\\.1:${port}: the port is already in use`),
    );
  });
});
