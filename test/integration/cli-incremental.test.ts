import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { DATABASE_URL } from '../helpers/database.js';
import { loopbackServers, sendJson } from '../helpers/loopback-http.js';
import { runCli } from '../helpers/run-cli.js';
import { queueKeyPrefix } from '../../src/store/redis-keys.js';
import { deleteKeys, REDIS_URL, testName, testRedis } from './queue-helpers.js';

let emulator: RunningEmulator;
let db: pg.Client;
let redis: Redis;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, clientId: 'id', clientSecret: 'secret' });
  db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  redis = testRedis();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await redis.quit();
  await db.end();
  await emulator.close();
});

/**
 * A private schema with an `accounts` table holding `rows` (account_id, region, display_name,
 * updated_at), and the environment of an incremental run against it. Dropped after the test,
 * with its watermark and report directory.
 */
async function accountsTable(rows: [string, string, string, string][]): Promise<{
  table: string;
  env: Record<string, string>;
  reportDir: string;
}> {
  const schema = `orgsync_inc_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const table = `${schema}.accounts`;
  await db.query(`CREATE SCHEMA ${schema}`);
  await db.query(`CREATE TABLE ${table} (account_id text, region text, display_name text, updated_at timestamptz)`);
  for (const row of rows) await db.query(`INSERT INTO ${table} VALUES ($1, $2, $3, $4)`, row);
  const reportDir = await mkdtemp(join(tmpdir(), 'orgsync-inc-'));
  const queue = testName(); // the queue whose run history records these applies (ORGSYNC_QUEUE)
  cleanups.push(async () => {
    const keys = await redis.keys(`orgsync:watermark:postgres:${table}*`);
    if (keys.length > 0) await redis.del(...keys);
    await deleteKeys(redis, queueKeyPrefix(queue));
    await db.query(`DROP SCHEMA ${schema} CASCADE`);
    await rm(reportDir, { recursive: true, force: true });
  });
  const env = {
    SCALEKIT_ENVIRONMENT_URL: emulator.url,
    SCALEKIT_CLIENT_ID: 'id',
    SCALEKIT_CLIENT_SECRET: 'secret',
    ORGSYNC_RATE_LIMIT: '500',
    DATABASE_URL,
    REDIS_URL,
    ORGSYNC_QUEUE: queue,
    ORGSYNC_SOURCE: `postgres:${table}`,
    ORGSYNC_METADATA_KEYS: 'billing_plan',
  };
  return { table, env, reportDir };
}

interface RunOutcome {
  code: number | null;
  /** `summary.accounts` of report.json: the records read from the source. */
  accounts: number;
  summary: Record<string, number>;
  stderr: string;
}

/** `orgsync apply --since last`, returning the exit code and report.json's summary. */
async function applySinceLast(env: Record<string, string>, reportDir: string): Promise<RunOutcome> {
  const result = await runCli(['apply', '--since', 'last', '--report-dir', reportDir], env);
  if (result.code !== 0 && result.code !== 1) throw new Error(`orgsync failed to run: ${result.stderr}`);
  const report = JSON.parse(await readFile(join(reportDir, 'report.json'), 'utf8')) as {
    summary: Record<string, number>;
  };
  return {
    code: result.code,
    accounts: report.summary['accounts'] ?? -1,
    summary: report.summary,
    stderr: result.stderr,
  };
}

async function watermarkOf(table: string): Promise<string | null> {
  const [key] = await redis.keys(`orgsync:watermark:postgres:${table}#*`);
  return key === undefined ? null : redis.get(key);
}

describe('orgsync apply --since last (incremental runs)', () => {
  it('reads only changed accounts; an invalid row is reported but does not freeze the watermark', async () => {
    const {
      table,
      env: base,
      reportDir,
    } = await accountsTable([
      ['P-1', 'us-east', 'One', '2026-01-01T00:00:00Z'],
      ['P-2', 'eu-west', 'Two', '2026-01-02T00:00:00Z'],
    ]);
    const env = { ...base, ORGSYNC_SINCE_OVERLAP: '0s' };
    const first = await applySinceLast(env, reportDir);
    expect(first).toMatchObject({ code: 0, accounts: 2 });
    expect(emulator.store.getByExternalId('us-east-P-1')).toBeDefined();
    expect((await applySinceLast(env, reportDir)).accounts).toBe(0);

    // A row changes to something invalid: reported (exit 1), but the watermark moves past it, so
    // one permanently bad row cannot make every later run read everything since.
    await db.query(
      `UPDATE ${table} SET region = 'atlantis', updated_at = '2026-02-01T00:00:00Z' WHERE account_id = 'P-2'`,
    );
    const invalid = await applySinceLast(env, reportDir);
    expect(invalid).toMatchObject({ code: 1, accounts: 1 });
    expect(invalid.summary['invalid']).toBe(1);
    expect(await applySinceLast(env, reportDir)).toMatchObject({ code: 0, accounts: 0 });

    // Fixed: it changes again, so it is read again and applied.
    await db.query(
      `UPDATE ${table} SET region = 'eu-west', display_name = 'Two renamed', updated_at = '2026-02-02T00:00:00Z' WHERE account_id = 'P-2'`,
    );
    expect(await applySinceLast(env, reportDir)).toMatchObject({ code: 0, accounts: 1 });
    expect(emulator.store.getByExternalId('eu-west-P-2')?.display_name).toBe('Two renamed');
    expect((await applySinceLast(env, reportDir)).accounts).toBe(0);
  });

  it('after a bulk updated_at change reads exactly the changed rows, once: the watermark keeps microseconds', async () => {
    const rows: [string, string, string, string][] = [1, 2, 3, 4, 5, 6].map((n) => [
      `B-${n}`,
      'us-east',
      `Bulk ${n}`,
      `2025-06-0${n}T00:00:00Z`,
    ]);
    const { table, env: base, reportDir } = await accountsTable(rows);
    const env = { ...base, ORGSYNC_SINCE_OVERLAP: '0s' };
    expect(await applySinceLast(env, reportDir)).toMatchObject({ code: 0, accounts: 6 });

    // One statement, one transaction time: every changed row shares one instant below the millisecond.
    await db.query(
      `UPDATE ${table} SET display_name = display_name || ' v2',
         updated_at = date_trunc('second', now()) + interval '0.123456 seconds'
       WHERE account_id IN ('B-2', 'B-4', 'B-5')`,
    );
    const changed = await applySinceLast(env, reportDir);
    expect(changed).toMatchObject({ code: 0, accounts: 3 });
    expect(changed.summary['update']).toBe(3);
    expect(emulator.store.getByExternalId('us-east-B-4')?.display_name).toBe('Bulk 4 v2');

    expect(await applySinceLast(env, reportDir)).toMatchObject({ code: 0, accounts: 0 });
    expect(await applySinceLast(env, reportDir)).toMatchObject({ code: 0, accounts: 0 });
    expect(await watermarkOf(table)).toMatch(/T\d\d:\d\d:\d\d\.123456Z$/);
  });

  it('re-reads the overlap window before the watermark, so a late commit is not missed (default 5m)', async () => {
    const { table, env, reportDir } = await accountsTable([
      ['L-1', 'us-east', 'Early', '2026-03-01T00:00:00Z'],
      ['L-2', 'us-east', 'Latest', '2026-03-02T12:00:00.000001Z'],
    ]);
    expect(await applySinceLast(env, reportDir)).toMatchObject({ code: 0, accounts: 2 });

    // A transaction that began before the last run committed after it: its updated_at is older
    // than the watermark. The default overlap (5 minutes) still reads it.
    await db.query(`INSERT INTO ${table} VALUES ('L-3', 'us-east', 'Late', '2026-03-02T11:57:00Z')`);
    const late = await applySinceLast(env, reportDir);
    expect(late).toMatchObject({ code: 0, accounts: 2 });
    expect(emulator.store.getByExternalId('us-east-L-3')?.display_name).toBe('Late');

    // A 30-second overlap reads back only 30 seconds.
    await db.query(
      `INSERT INTO ${table} VALUES ('L-4', 'us-east', 'Ten seconds late', '2026-03-02T11:59:50Z'), ('L-5', 'us-east', 'Too late', '2026-03-02T11:58:00Z')`,
    );
    const short = await applySinceLast({ ...env, ORGSYNC_SINCE_OVERLAP: '30s' }, reportDir);
    expect(short).toMatchObject({ code: 0, accounts: 2 });
    expect(emulator.store.getByExternalId('us-east-L-4')).toBeDefined();
    expect(emulator.store.getByExternalId('us-east-L-5')).toBeUndefined();
  });

  it('holds the watermark back when a row failed at the API, so the next run reads it again', async () => {
    const { table, env: base, reportDir } = await accountsTable([['F-1', 'us-east', 'Flaky', '2026-04-01T00:00:00Z']]);
    const env = { ...base, ORGSYNC_SINCE_OVERLAP: '0s' };
    emulator.injectFault({ method: 'POST', route: '/api/v1/organizations', kind: 'http-500', count: 50 });
    const failed = await applySinceLast(env, reportDir);
    expect(failed).toMatchObject({ code: 1, accounts: 1 });
    expect(failed.summary['failed']).toBe(1);
    expect(await watermarkOf(table)).toBeNull();
    await forgetScriptedFaults();

    const retried = await applySinceLast(env, reportDir);
    expect(retried).toMatchObject({ code: 0, accounts: 1 });
    expect(emulator.store.getByExternalId('us-east-F-1')).toBeDefined();
    expect(await watermarkOf(table)).toBe('2026-04-01T00:00:00.000Z');
  });

  it('refuses a bad ORGSYNC_SINCE_OVERLAP, --since with --scope full and with a CSV source, saying why', async () => {
    const { env } = await accountsTable([]);
    const overlap = await runCli(['plan', '--since', 'last'], { ...env, ORGSYNC_SINCE_OVERLAP: 'five minutes' });
    expect(overlap.code).toBe(1);
    expect(overlap.stderr).toContain('ORGSYNC_SINCE_OVERLAP');
    expect(overlap.stderr).toContain('5m');
    const full = await runCli(['plan', '--since', 'last', '--scope', 'full'], env);
    expect(full.code).toBe(1);
    expect(full.stderr).toContain('cannot find orphans');
    const csv = await runCli(['plan', '--since', 'last', '--source', 'fixtures/accounts.csv'], env);
    expect(csv.code).toBe(1);
    expect(csv.stderr).toContain('postgres: or http(s)');
  });
});

/** Nanoseconds since the epoch of RFC 3339 UTC text, as a careful API would compare them. */
function epochNanos(text: string): bigint {
  const fraction = /\.(\d+)Z$/.exec(text)?.[1] ?? '';
  return BigInt(Date.parse(text.replace(/\.\d+Z$/, 'Z'))) * 1_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
}

describe('orgsync apply --since last with an http(s) source', () => {
  const loopback = loopbackServers();
  afterEach(() => loopback.closeAll());

  it('keeps every digit of updated_at: a nanosecond watermark is sent back whole', async () => {
    const accounts = [
      { account_id: 'H-1', region: 'us-east', display_name: 'One', updated_at: '2026-05-01T00:00:00.100000001Z' },
      { account_id: 'H-2', region: 'us-east', display_name: 'Two', updated_at: '2026-05-01T00:00:00.100000002Z' },
    ];
    const server = await loopback.serve((_req, res, url) => {
      const since = url.searchParams.get('updated_since');
      const changed = accounts.filter((a) => since === null || epochNanos(a.updated_at) > epochNanos(since));
      sendJson(res, 200, { accounts: changed, next: null });
    });
    const reportDir = await mkdtemp(join(tmpdir(), 'orgsync-inc-http-'));
    const queue = testName();
    cleanups.push(async () => {
      const keys = await redis.keys(`orgsync:watermark:${server.origin}/*`);
      if (keys.length > 0) await redis.del(...keys);
      await deleteKeys(redis, queueKeyPrefix(queue));
      await rm(reportDir, { recursive: true, force: true });
    });
    const env = {
      SCALEKIT_ENVIRONMENT_URL: emulator.url,
      SCALEKIT_CLIENT_ID: 'id',
      SCALEKIT_CLIENT_SECRET: 'secret',
      REDIS_URL,
      ORGSYNC_QUEUE: queue,
      ORGSYNC_SOURCE: `${server.origin}/accounts`,
      ORGSYNC_SINCE_OVERLAP: '0s',
    };
    expect(await applySinceLast(env, reportDir)).toMatchObject({ code: 0, accounts: 2 });
    expect(await applySinceLast(env, reportDir)).toMatchObject({ code: 0, accounts: 0 });
    expect(server.requests.at(-1)?.path).toBe('/accounts?updated_since=2026-05-01T00%3A00%3A00.100000002Z');

    accounts[0] = { ...accounts[0]!, display_name: 'One renamed', updated_at: '2026-05-01T00:00:00.100000003Z' };
    expect(await applySinceLast(env, reportDir)).toMatchObject({ code: 0, accounts: 1 });
    expect(emulator.store.getByExternalId('us-east-H-1')?.display_name).toBe('One renamed');
    expect(await applySinceLast(env, reportDir)).toMatchObject({ code: 0, accounts: 0 });
  });
});

/** Forgets scripted faults that were not consumed (the admin API's reset of faults only). */
async function forgetScriptedFaults(): Promise<void> {
  const response = await fetch(`${emulator.url}/_emulator/reset`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ faults: true }),
  });
  if (!response.ok) throw new Error(`emulator reset failed: ${response.status}`);
}
