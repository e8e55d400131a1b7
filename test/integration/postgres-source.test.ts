import { describe, expect, it } from 'vitest';
import { ConfigError, SourceError } from '../../src/errors.js';
import { createPostgresSource } from '../../src/sources/postgres-source.js';
import { caught, collect } from '../helpers/async.js';
import { DATABASE_URL, databaseLabel, databaseUrlWith } from '../helpers/database.js';
import { freePort } from '../helpers/free-port.js';
import { usePrivateSchema } from '../helpers/private-schema.js';

const PASSWORD = 'n0t-a-real-Passw0rd';
/** Trust auth ignores the password, so it can be used to prove that none leaks. */
const URL_WITH_PASSWORD = databaseUrlWith({ password: PASSWORD });
const { name: schema } = usePrivateSchema((schema) => [
  `CREATE TABLE ${schema}.accounts (
    account_id text PRIMARY KEY, region text, display_name text, seats int, revenue numeric(12,2),
    active boolean, created_on date, updated_at timestamptz, "Invoice_Email" text)`,
  `INSERT INTO ${schema}.accounts VALUES
    ('CUST-1', 'us-east', 'Acme', 42, 1234.50, true, '2024-02-29', '2024-01-01T00:00:00Z', 'billing@acme.test'),
    ('CUST-2', ' EU-West ', 'Globex', NULL, NULL, false, NULL, '2024-06-01T12:30:00.123Z', NULL),
    ('CUST-3', 'us-west', 'Initech', 0, -0.01, NULL, NULL, NULL, '')`,
]);

describe('createPostgresSource: reading rows', () => {
  it('converts ints, numerics, booleans, dates and timestamps to strings and NULL to null', async () => {
    const source = createPostgresSource({ databaseUrl: DATABASE_URL, table: `${schema}.accounts` });
    const records = await collect(source.records());
    const byId = new Map(records.map((r) => [r.values['account_id'], r]));

    expect(records.map((r) => r.line).sort()).toEqual([1, 2, 3]);
    expect(byId.get('CUST-1')?.values).toEqual({
      account_id: 'CUST-1',
      region: 'us-east',
      display_name: 'Acme',
      seats: '42',
      revenue: '1234.50',
      active: 'true',
      created_on: '2024-02-29',
      updated_at: '2024-01-01T00:00:00.000Z',
      invoice_email: 'billing@acme.test',
    });
    expect(byId.get('CUST-1')?.updatedAt).toBe('2024-01-01T00:00:00.000000000Z');
    expect(byId.get('CUST-2')?.values).toMatchObject({
      seats: null,
      revenue: null,
      active: 'false',
      created_on: null,
      invoice_email: null,
    });
    expect(byId.get('CUST-3')?.values).toMatchObject({
      seats: '0',
      revenue: '-0.01',
      active: null,
      updated_at: null,
      invoice_email: '',
    });
    expect(byId.get('CUST-3')?.updatedAt).toBeUndefined();
  });

  it('names itself after the table, never after the URL', () => {
    const source = createPostgresSource({ databaseUrl: URL_WITH_PASSWORD, table: `${schema}.accounts` });
    expect(source.description).toBe(`postgres:${schema}.accounts`);
    expect(createPostgresSource({ databaseUrl: URL_WITH_PASSWORD, query: 'SELECT 1' }).description).toBe(
      'postgres:query',
    );
  });

  it('runs a query that ends with a semicolon and a comment line', async () => {
    const query = `SELECT account_id FROM ${schema}.accounts ORDER BY account_id -- newest first\n;`;
    const records = await collect(createPostgresSource({ databaseUrl: DATABASE_URL, query }).records());
    expect(records.map((r) => [r.line, r.values['account_id']])).toEqual([
      [1, 'CUST-1'],
      [2, 'CUST-2'],
      [3, 'CUST-3'],
    ]);
  });

  it('reads a timestamp without time zone as UTC', async () => {
    const query = `SELECT '2024-03-04 05:06:07.5'::timestamp AS updated_at`;
    const [record] = await collect(createPostgresSource({ databaseUrl: DATABASE_URL, query }).records());
    expect(record?.values['updated_at']).toBe('2024-03-04T05:06:07.500Z');
  });

  it('yields nothing for an empty result', async () => {
    const query = `SELECT * FROM ${schema}.accounts WHERE false`;
    expect(await collect(createPostgresSource({ databaseUrl: DATABASE_URL, query }).records())).toEqual([]);
  });
});

describe('createPostgresSource: errors', () => {
  it('names the missing required columns and the columns the query returned', async () => {
    const source = createPostgresSource({
      databaseUrl: DATABASE_URL,
      query: `SELECT account_id, display_name FROM ${schema}.accounts`,
      requiredColumns: ['account_id', 'region', 'display_name', 'invoice_email'],
    });
    const error = await caught(collect(source.records()));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toContain('missing required columns region, invoice_email');
    expect(error.message).toContain('the query returned: account_id, display_name');
  });

  it('checks required columns even when the result is empty', async () => {
    const source = createPostgresSource({
      databaseUrl: DATABASE_URL,
      query: 'SELECT 1 AS account_id WHERE false',
      requiredColumns: ['region'],
    });
    expect((await caught(collect(source.records()))).message).toContain('missing required column region');
  });

  it("reports a bad query with PostgreSQL's reason and without the password", async () => {
    const source = createPostgresSource({ databaseUrl: URL_WITH_PASSWORD, query: `SELECT x FROM ${schema}.accounts` });
    const error = await caught(collect(source.records()));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toMatch(/^query failed: column "x" does not exist/);
    expect(error.message).toContain(databaseLabel());
    expect(error.message).not.toContain(PASSWORD);
  });

  it('reports an unknown table by name', async () => {
    const source = createPostgresSource({ databaseUrl: DATABASE_URL, table: `${schema}.nope` });
    expect((await caught(collect(source.records()))).message).toContain(
      'relation "' + schema + '.nope" does not exist',
    );
  });

  it('reports a refused connection with host, port and database, and without the password', async () => {
    const port = await freePort();
    const source = createPostgresSource({
      databaseUrl: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/test`,
      query: 'SELECT 1',
    });
    const error = await caught(collect(source.records()));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe(
      `cannot connect to PostgreSQL at 127.0.0.1:${port} (database test): connection refused — check DATABASE_URL`,
    );
  });

  it('reports a missing database', async () => {
    const source = createPostgresSource({
      databaseUrl: databaseUrlWith({ database: `${schema}_missing` }),
      query: 'SELECT 1',
    });
    expect((await caught(collect(source.records()))).message).toContain(`database "${schema}_missing" does not exist`);
  });

  it('refuses an invalid URL without echoing it', () => {
    expect(() => createPostgresSource({ databaseUrl: `not a url ${PASSWORD}`, query: 'SELECT 1' })).toThrow(
      /DATABASE_URL is not a valid URL/,
    );
    expect(() => createPostgresSource({ databaseUrl: `not a url ${PASSWORD}`, query: 'SELECT 1' })).not.toThrow(
      PASSWORD,
    );
  });

  it('needs exactly one of query and table', () => {
    expect(() => createPostgresSource({ databaseUrl: DATABASE_URL })).toThrow(ConfigError);
    expect(() => createPostgresSource({ databaseUrl: DATABASE_URL, query: 'SELECT 1', table: 't' })).toThrow(
      /exactly one/,
    );
  });

  it('reports an error raised in the middle of the stream after the rows before it', async () => {
    const query = 'SELECT g AS account_id, 1 / (g - 5) AS x FROM generate_series(1, 10) AS g';
    const seen: string[] = [];
    const source = createPostgresSource({ databaseUrl: DATABASE_URL, query, batchSize: 2 });
    const error = await caught(
      (async () => {
        for await (const record of source.records()) seen.push(record.values['account_id'] ?? '');
      })(),
    );
    expect(error.message).toMatch(/^query failed: division by zero/);
    expect(seen).toEqual(['1', '2', '3', '4']);
  });
});

describe('createPostgresSource: incremental runs', () => {
  it('keeps only rows updated after `since`', async () => {
    const source = createPostgresSource({
      databaseUrl: DATABASE_URL,
      table: `${schema}.accounts`,
      since: new Date('2024-03-01T00:00:00Z'),
    });
    const records = await collect(source.records());
    expect(records.map((r) => [r.line, r.values['account_id']])).toEqual([[1, 'CUST-2']]);
  });

  it('compares a timestamp without time zone in UTC', async () => {
    const query = `SELECT * FROM (VALUES ('a', '2024-01-01 10:00:00'::timestamp), ('b', '2024-01-01 12:00:00'::timestamp)) AS t(account_id, updated_at)`;
    const since = new Date('2024-01-01T11:00:00Z');
    const records = await collect(createPostgresSource({ databaseUrl: DATABASE_URL, query, since }).records());
    expect(records.map((r) => r.values['account_id'])).toEqual(['b']);
  });

  it('keeps updated_at to the microsecond and compares `since` to the microsecond, in any session time zone', async () => {
    const query = `SELECT * FROM (VALUES
        ('a', '2024-05-06 07:08:09.123456+00'::timestamptz),
        ('b', '2024-05-06 07:08:09.123457+00'::timestamptz),
        ('c', '2024-05-06 07:08:09.123999+00'::timestamptz)) AS t(account_id, updated_at)`;
    const all = await collect(createPostgresSource({ databaseUrl: DATABASE_URL, query }).records());
    expect(all.map((r) => r.updatedAt)).toEqual([
      '2024-05-06T07:08:09.123456000Z',
      '2024-05-06T07:08:09.123457000Z',
      '2024-05-06T07:08:09.123999000Z',
    ]);
    // The values keep their usual form (to the millisecond), as before.
    expect(all[0]?.values['updated_at']).toBe('2024-05-06T07:08:09.123Z');

    const since = '2024-05-06T07:08:09.123456000Z';
    const later = await collect(createPostgresSource({ databaseUrl: DATABASE_URL, query, since }).records());
    expect(later.map((r) => r.values['account_id'])).toEqual(['b', 'c']);

    // A session in another time zone writes offsets; the instant is the same.
    const kolkata = `${DATABASE_URL}?options=-c%20TimeZone%3DAsia%2FKolkata`;
    const shifted = await collect(createPostgresSource({ databaseUrl: kolkata, query, since }).records());
    expect(shifted.map((r) => [r.values['account_id'], r.updatedAt])).toEqual([
      ['b', '2024-05-06T07:08:09.123457000Z'],
      ['c', '2024-05-06T07:08:09.123999000Z'],
    ]);
  });

  it('keeps microseconds of a timestamp without time zone too, read as UTC', async () => {
    const query = `SELECT * FROM (VALUES ('a', '2024-01-01 10:00:00.000001'::timestamp), ('b', '2024-01-01 10:00:00.000002'::timestamp)) AS t(account_id, updated_at)`;
    const since = '2024-01-01T10:00:00.000001Z';
    const records = await collect(createPostgresSource({ databaseUrl: DATABASE_URL, query, since }).records());
    expect(records.map((r) => [r.values['account_id'], r.updatedAt])).toEqual([
      ['b', '2024-01-01T10:00:00.000002000Z'],
    ]);
  });

  it('refuses a `since` that is not an instant', () => {
    expect(() => createPostgresSource({ databaseUrl: DATABASE_URL, query: 'SELECT 1', since: 'yesterday' })).toThrow(
      /since: expected an RFC 3339 instant/,
    );
  });

  it('explains that incremental runs need an updated_at column', async () => {
    const source = createPostgresSource({
      databaseUrl: DATABASE_URL,
      query: `SELECT account_id FROM ${schema}.accounts`,
      since: new Date(),
    });
    const error = await caught(collect(source.records()));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toContain('incremental runs (--since) need an `updated_at` column');
    expect(error.message).toContain('the query returned: account_id');
  });
});

describe('createPostgresSource: findAccount', () => {
  const source = () => createPostgresSource({ databaseUrl: DATABASE_URL, table: `${schema}.accounts` });

  it('finds an account by id', async () => {
    const record = await source().findAccount('CUST-1');
    expect(record).toMatchObject({ line: 1, values: { account_id: 'CUST-1', display_name: 'Acme' } });
  });

  it('matches the region lower-cased and trimmed', async () => {
    expect((await source().findAccount('CUST-2', 'eu-west'))?.values['display_name']).toBe('Globex');
    expect(await source().findAccount('CUST-2', 'us-east')).toBeNull();
  });

  it('returns null for an unknown id', async () => {
    expect(await source().findAccount('CUST-404')).toBeNull();
  });

  it('matches an integer account_id column by its text', async () => {
    const query = "SELECT g AS account_id, 'us-east' AS region FROM generate_series(1, 5) AS g";
    const record = await createPostgresSource({ databaseUrl: DATABASE_URL, query }).findAccount('3', 'us-east');
    expect(record?.values).toEqual({ account_id: '3', region: 'us-east' });
  });

  it('matches on the id alone when the result has no region column', async () => {
    const query = 'SELECT g AS account_id FROM generate_series(1, 5) AS g';
    expect(
      (await createPostgresSource({ databaseUrl: DATABASE_URL, query }).findAccount('4', 'us-east'))?.values,
    ).toEqual({ account_id: '4' });
  });

  it('fails clearly when the result has no account_id column', async () => {
    const lookup = createPostgresSource({ databaseUrl: DATABASE_URL, query: 'SELECT 1 AS id' }).findAccount('1');
    expect((await caught(lookup)).message).toContain('missing required column account_id; the query returned: id');
  });
});
