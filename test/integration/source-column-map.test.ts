import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requiredColumns } from '../../src/app.js';
import { runSync } from '../../src/engine/run.js';
import { ConfigError } from '../../src/errors.js';
import type { ColumnMapping } from '../../src/sources/column-map.js';
import { createHttpSource } from '../../src/sources/http-source.js';
import { createPostgresSource } from '../../src/sources/postgres-source.js';
import { caught, collect } from '../helpers/async.js';
import { DATABASE_URL } from '../helpers/database.js';
import { RULES, startHarness, type Harness } from '../helpers/engine-harness.js';
import { loopbackServers, sendJson } from '../helpers/loopback-http.js';

const schema = `orgsync_test_${randomBytes(6).toString('hex')}`;
const admin = new pg.Client({ connectionString: DATABASE_URL });
const http = loopbackServers();
let harness: Harness | undefined;

const MAP: ColumnMapping[] = [
  { field: 'account_id', column: 'customer_no' },
  { field: 'region', column: 'zone' },
  { field: 'display_name', column: 'company_name' },
  { field: 'invoice_email', column: 'billing_email' },
];
const REQUIRED = requiredColumns(RULES);

beforeAll(async () => {
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.query(
    `CREATE TABLE ${schema}.customers (customer_no text PRIMARY KEY, zone text, company_name text, billing_email text, display_name text, sales_rep text)`,
  );
  await admin.query(`INSERT INTO ${schema}.customers VALUES
    ('C1', 'us-east', 'Acme', 'ap@acme.example', 'stale name', 'sam'),
    ('C2', 'eu-west', 'Globex', NULL, NULL, 'kim')`);
});

afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

afterEach(async () => {
  await http.closeAll();
  await harness?.close();
  harness = undefined;
});

describe('the column map on a PostgreSQL source', () => {
  const source = (columnMap = MAP) =>
    createPostgresSource({
      databaseUrl: DATABASE_URL,
      table: `${schema}.customers`,
      requiredColumns: REQUIRED,
      columnMap,
    });

  it("yields records under orgsync's names, and finds an account by its mapped columns", async () => {
    const records = await collect(source().records());
    const c1 = records.find((r) => r.values['account_id'] === 'C1');
    expect(c1?.values).toMatchObject({
      account_id: 'C1',
      region: 'us-east',
      display_name: 'Acme',
      invoice_email: 'ap@acme.example',
      sales_rep: 'sam',
      'display_name (not read: --map display_name=company_name)': 'stale name',
    });
    expect((await source().findAccount('C2', 'eu-west'))?.values['display_name']).toBe('Globex');
    expect(await source().findAccount('C2', 'us-east')).toBeNull();
  });

  it('refuses a mapped column the result lacks, naming the field and the column, before any row', async () => {
    const error = await caught(collect(source([...MAP, { field: 'billing_plan', column: 'plan' }]).records()));
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toContain(`billing_plan=plan: postgres:${schema}.customers's result has no column "plan"`);
  });

  it('plans through the engine with the mapped names, and lists unread columns by their own names', async () => {
    harness = await startHarness();
    const { report } = await runSync(
      { api: harness.api, logger: pino({ level: 'silent' }), rules: RULES },
      {
        mode: 'plan',
        scope: 'partial',
        source: source(),
        allowDelete: false,
        adopt: false,
        concurrency: 2,
        deleteMaxCount: 10,
        deleteMaxPercent: 10,
      },
    );
    expect(report.summary).toMatchObject({ accounts: 2, create: 2, invalid: 0 });
    expect(report.unmanaged_keys).toEqual(['billing_plan', 'billing_currency', 'tax_id']);
    expect(report.unknown_columns).toEqual(['display_name (not read: --map display_name=company_name)', 'sales_rep']);
  });
});

describe('the column map on an HTTP source', () => {
  const pageOf = (accounts: unknown[]) => ({ accounts, next: null });
  const ACCOUNTS = [
    { customer_no: 'H1', zone: 'us-west', company_name: 'Hooli', billing_email: 'ap@hooli.example' },
    { customer_no: 'H2', zone: 'us-east', company_name: 'Initech', billing_email: null },
  ];

  it("yields records under orgsync's names, and looks an account up by the API's own field names", async () => {
    const server = await http.serve((_req, res, url) => {
      const id = url.searchParams.get('customer_no');
      sendJson(res, 200, pageOf(id === null ? ACCOUNTS : ACCOUNTS.filter((a) => a.customer_no === id)));
    });
    const source = createHttpSource({ url: `${server.origin}/accounts`, requiredColumns: REQUIRED, columnMap: MAP });
    const records = await collect(source.records());
    expect(records.map((r) => r.values)).toEqual([
      { account_id: 'H1', region: 'us-west', display_name: 'Hooli', invoice_email: 'ap@hooli.example' },
      { account_id: 'H2', region: 'us-east', display_name: 'Initech', invoice_email: null },
    ]);
    const found = await source.findAccount('H2', 'us-east');
    expect(found?.values['display_name']).toBe('Initech');
    expect(server.requests.at(-1)?.path).toBe('/accounts?customer_no=H2&zone=us-east');
  });

  it('refuses a mapped field the first page lacks, naming the field and the column', async () => {
    const server = await http.serve((_req, res) => sendJson(res, 200, pageOf(ACCOUNTS)));
    const source = createHttpSource({
      url: `${server.origin}/accounts`,
      requiredColumns: REQUIRED,
      columnMap: [...MAP, { field: 'tax_id', column: 'vat_number' }],
    });
    const error = await caught(collect(source.records()));
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toContain('tax_id=vat_number: page 1 of');
    expect(String(error)).toContain('has no column "vat_number" to read tax_id from');
  });
});
