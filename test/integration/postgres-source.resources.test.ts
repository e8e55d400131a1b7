import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPostgresSource } from '../../src/sources/postgres-source.js';
import { DATABASE_URL, databaseLabel, databaseUrlWith } from '../helpers/database.js';
import { usePrivateSchema } from '../helpers/private-schema.js';

const ROWS = 200_000;
const NAME_CHARS = 1_000;
const { name: schema, admin } = usePrivateSchema((schema) => [
  `CREATE TABLE ${schema}.big AS
    SELECT 'CUST-' || g AS account_id, 'us-east' AS region, repeat('x', ${NAME_CHARS}) || g AS display_name, g AS n
    FROM generate_series(1, ${ROWS}) AS g`,
]);

/** A URL whose connections can be counted in pg_stat_activity. */
function taggedUrl(): { url: string; tag: string } {
  const tag = `orgsync_test_${randomBytes(6).toString('hex')}`;
  return { url: databaseUrlWith({ search: `?application_name=${tag}` }), tag };
}

async function connectionsTagged(tag: string): Promise<number> {
  const result = await admin.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
    [tag],
  );
  return result.rows[0]?.n ?? -1;
}

/** Polls until no connection is tagged `tag` or 5 s pass; returns the last count seen. */
async function connectionsOnceClosed(tag: string): Promise<number> {
  const deadline = Date.now() + 5_000;
  let open = await connectionsTagged(tag);
  while (open !== 0 && Date.now() < deadline) {
    await new Promise((resolve) => setImmediate(resolve));
    open = await connectionsTagged(tag);
  }
  return open;
}

describe('createPostgresSource: memory and connections', () => {
  it('streams 200,000 rows with memory far below what holding them would take', async () => {
    const source = createPostgresSource({ databaseUrl: DATABASE_URL, table: `${schema}.big`, batchSize: 500 });
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let count = 0;
    let lastLine = 0;
    for await (const record of source.records()) {
      count += 1;
      lastLine = record.line;
      if (count % 1_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    // Holding every row would need at least the bytes of its display names (one byte per char).
    const holdAllBytes = ROWS * NAME_CHARS;
    expect(count).toBe(ROWS);
    expect(lastLine).toBe(ROWS);
    expect((peak - before) / holdAllBytes).toBeLessThan(0.25);
  });

  it('closes the connection when the consumer breaks out early', async () => {
    const { url, tag } = taggedUrl();
    const source = createPostgresSource({ databaseUrl: url, table: `${schema}.big`, batchSize: 100 });
    let openWhileReading = 0;
    for await (const record of source.records()) {
      if (record.line === 1) openWhileReading = await connectionsTagged(tag);
      if (record.line === 250) break;
    }
    expect(openWhileReading).toBe(1);
    expect(await connectionsOnceClosed(tag)).toBe(0);
  });

  it('stops with the abort reason and closes the connection when the signal fires', async () => {
    const { url, tag } = taggedUrl();
    const controller = new AbortController();
    const source = createPostgresSource({ databaseUrl: url, table: `${schema}.big`, batchSize: 100 });
    let lines = 0;
    const reading = (async () => {
      for await (const record of source.records({ signal: controller.signal })) {
        lines = record.line;
        if (record.line === 300) controller.abort(new Error('shutting down'));
      }
    })();
    await expect(reading).rejects.toThrow('shutting down');
    expect(lines).toBeLessThan(ROWS);
    expect(await connectionsOnceClosed(tag)).toBe(0);
  });

  it('fails with a clear error instead of hanging when the server drops the connection mid-stream', async () => {
    const { url, tag } = taggedUrl();
    const source = createPostgresSource({ databaseUrl: url, table: `${schema}.big`, batchSize: 100 });
    let lines = 0;
    const reading = (async () => {
      for await (const record of source.records()) {
        lines = record.line;
        if (record.line === 300)
          await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
            tag,
          ]);
      }
    })();
    await expect(reading).rejects.toThrow(`query failed: lost the connection to PostgreSQL at ${databaseLabel()}`);
    expect(lines).toBeLessThan(ROWS);
    expect(await connectionsOnceClosed(tag)).toBe(0);
  });

  it('does not connect at all when the signal has already fired', async () => {
    const { url, tag } = taggedUrl();
    const source = createPostgresSource({ databaseUrl: url, query: 'SELECT 1' });
    const reading = source
      .records({ signal: AbortSignal.abort(new Error('too late')) })
      [Symbol.asyncIterator]()
      .next();
    await expect(reading).rejects.toThrow('too late');
    expect(await connectionsTagged(tag)).toBe(0);
  });

  it('closes the connection after a query error and after a lookup', async () => {
    const { url, tag } = taggedUrl();
    const failing = createPostgresSource({
      databaseUrl: url,
      query: 'SELECT 1 / (g - 3) AS account_id FROM generate_series(1, 5) AS g',
      batchSize: 1,
    });
    await expect(
      (async () => {
        for await (const _record of failing.records()) {
          /* drain */
        }
      })(),
    ).rejects.toThrow(/division by zero/);
    await createPostgresSource({ databaseUrl: url, table: `${schema}.big` }).findAccount('CUST-7');
    expect(await connectionsOnceClosed(tag)).toBe(0);
  });
});
