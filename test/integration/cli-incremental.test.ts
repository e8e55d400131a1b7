import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { DATABASE_URL } from '../helpers/database.js';
import { runCli } from '../helpers/run-cli.js';
import { REDIS_URL, testRedis } from './queue-helpers.js';

const schema = `orgsync_inc_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
let emulator: RunningEmulator;
let db: pg.Client;
let redis: Redis;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, clientId: 'id', clientSecret: 'secret' });
  db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  await db.query(`CREATE SCHEMA ${schema}`);
  await db.query(
    `CREATE TABLE ${schema}.accounts (account_id text, region text, display_name text, billing_plan text, updated_at timestamptz)`,
  );
  await db.query(
    `INSERT INTO ${schema}.accounts VALUES ('P-1','us-east','One','pro','2026-01-01T00:00:00Z'), ('P-2','eu-west','Two',NULL,'2026-01-02T00:00:00Z')`,
  );
  redis = testRedis();
  env = {
    SCALEKIT_ENVIRONMENT_URL: emulator.url,
    SCALEKIT_CLIENT_ID: 'id',
    SCALEKIT_CLIENT_SECRET: 'secret',
    ORGSYNC_RATE_LIMIT: '500',
    DATABASE_URL,
    REDIS_URL,
    ORGSYNC_SOURCE: `postgres:${schema}.accounts`,
  };
});

afterAll(async () => {
  const keys = await redis.keys(`orgsync:watermark:postgres:${schema}.accounts*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await db.query(`DROP SCHEMA ${schema} CASCADE`);
  await db.end();
  await emulator.close();
});

describe('orgsync apply --since last (incremental runs)', () => {
  it('reads only changed accounts, and moves the watermark only when every row succeeded', async () => {
    const first = await runCli(['apply', '--since', 'last'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/2 records read/);
    expect(emulator.store.getByExternalId('us-east-P-1')).toBeDefined();

    const unchanged = await runCli(['apply', '--since', 'last'], env);
    expect(unchanged.code).toBe(0);
    expect(unchanged.stdout).toMatch(/0 records read/);

    // A bad row changes: it fails, and the watermark stays so it is read again.
    await db.query(
      `UPDATE ${schema}.accounts SET region = 'atlantis', updated_at = '2026-02-01T00:00:00Z' WHERE account_id = 'P-2'`,
    );
    const failing = await runCli(['apply', '--since', 'last'], env);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/1 record read/);
    const again = await runCli(['apply', '--since', 'last'], env);
    expect(again.stdout).toMatch(/1 record read/);

    // Fixed: read once more, succeeds, and the watermark moves past it.
    await db.query(
      `UPDATE ${schema}.accounts SET region = 'eu-west', display_name = 'Two renamed', updated_at = '2026-02-02T00:00:00Z' WHERE account_id = 'P-2'`,
    );
    const fixed = await runCli(['apply', '--since', 'last'], env);
    expect(fixed.code).toBe(0);
    expect(emulator.store.getByExternalId('eu-west-P-2')?.display_name).toBe('Two renamed');
    const after = await runCli(['apply', '--since', 'last'], env);
    expect(after.stdout).toMatch(/0 records read/);
  });

  it('refuses --since with --scope full and with a CSV source, saying why', async () => {
    const full = await runCli(['plan', '--since', 'last', '--scope', 'full'], env);
    expect(full.code).toBe(1);
    expect(full.stderr).toContain('cannot find orphans');
    const csv = await runCli(['plan', '--since', 'last', '--source', 'fixtures/accounts.csv'], env);
    expect(csv.code).toBe(1);
    expect(csv.stderr).toContain('postgres: or http(s)');
  });
});
