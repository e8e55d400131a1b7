import type pg from 'pg';
import { types } from 'pg';
import QueryStream from 'pg-query-stream';
import type { Logger } from 'pino';
import { ConfigError, SourceError } from '../errors.js';
import { openPgSession, withPgSession, type PgConnectOptions } from './pg/pg-client.js';
import { assertColumns, describeColumns, findColumn, type PgColumn } from './pg/pg-columns.js';
import { queryError } from './pg/pg-errors.js';
import { createPgRowReader, type PgRowReader } from './pg/pg-row-reader.js';
import { querySql, quoteIdent, tableSql, wrapSql } from './pg/pg-sql.js';
import { parsePgTarget } from './pg/pg-target.js';
import { rowToRecord } from './pg/pg-values.js';
import { formatInstantMicros, sinceOption, type Instant } from './instant.js';
import type { SourceRecord } from '../domain/account-record.js';
import { normalizeRegion } from '../domain/external-id.js';
import type { LookupSource } from './source.js';
import { createColumnRenamer, type ColumnMapping } from './column-map.js';

/** Options of `createPostgresSource`. Give exactly one of `query` and `table`. */
export interface PostgresSourceOptions {
  /** `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (`DATABASE_URL`). Never logged. */
  databaseUrl: string;
  /** A SELECT returning one row per account (`ORGSYNC_PG_QUERY`). Trailing semicolons are ignored. */
  query?: string;
  /** A table (or `schema.table`) to read whole, quoted exactly as written (`postgres:TABLE`). */
  table?: string;
  /**
   * Incremental run: only rows with `updated_at > since`, compared in SQL to the microsecond. An
   * `Instant` or any RFC 3339 text (a `Date` has only milliseconds). The result must have an
   * `updated_at` column.
   */
  since?: string | Date | undefined;
  /** Rows fetched per cursor round trip; bounds memory. Default 1000. */
  batchSize?: number;
  /** Columns the result must have (matched lower-cased and trimmed; orgsync's names, see `columnMap`). Default none. */
  requiredColumns?: readonly string[];
  /**
   * `--map` / ORGSYNC_COLUMN_MAP: the result column each mapped field is read from; records carry
   * orgsync's names. A mapped column the result lacks is a `ConfigError`.
   */
  columnMap?: readonly ColumnMapping[] | undefined;
  /** How long to wait for the connection, in milliseconds. Default 10 000. */
  connectTimeoutMs?: number;
  /** `application_name` shown in `pg_stat_activity`, unless the URL sets one. Default `orgsync`. */
  applicationName?: string;
  logger?: Pick<Logger, 'debug' | 'warn'>;
}

const DEFAULT_BATCH_SIZE = 1000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

function isRow(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * `updated_at > $1`, with `$1` a literal of full precision (microseconds) cast to the column's own
 * type, so that neither rounding nor a time zone shifts the comparison.
 */
function sinceFilter(
  columns: readonly PgColumn[],
  since: Instant,
  description: string,
): { suffix: string; param: string } {
  const column = findColumn(columns, 'updated_at');
  if (column === undefined) {
    const returned = columns.map((c) => c.key).join(', ') || '(none)';
    throw new SourceError(
      `${description}: incremental runs (--since) need an \`updated_at\` column in the query's result; the query returned: ${returned}`,
    );
  }
  // Cut (not rounded) to PostgreSQL's microseconds: the filter can only widen.
  const iso = formatInstantMicros(since);
  // A `timestamp without time zone` is read as UTC (see pg-values.ts), so compare it in UTC too.
  const naive = column.dataTypeId === types.builtins.TIMESTAMP;
  return {
    suffix: `WHERE ${quoteIdent(column.name)} > $1::${naive ? 'timestamp' : 'timestamptz'}`,
    param: naive ? iso.slice(0, -1) : iso,
  };
}

/**
 * Reads accounts from PostgreSQL through a server-side cursor (`pg-query-stream`): at most
 * `batchSize` rows are in memory at a time. Each call to `records()` opens one connection and
 * closes it when the iteration ends, fails, is abandoned (`break`) or is aborted.
 */
export function createPostgresSource(options: PostgresSourceOptions): LookupSource {
  if ((options.query === undefined) === (options.table === undefined)) {
    throw new ConfigError([
      'a PostgreSQL source needs exactly one of a query (ORGSYNC_PG_QUERY) or a table (postgres:TABLE)',
    ]);
  }
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ConfigError([`batchSize must be a positive integer, got ${batchSize}`]);
  const since = options.since === undefined ? undefined : sinceOption(options.since);
  const target = parsePgTarget(options.databaseUrl);
  const baseSql = options.table === undefined ? querySql(options.query ?? '') : tableSql(options.table);
  const description = options.table === undefined ? 'postgres:query' : `postgres:${options.table.trim()}`;
  const required = options.requiredColumns ?? [];
  const renamer = createColumnRenamer(options.columnMap);
  const logger = options.logger;
  const connect: PgConnectOptions = {
    databaseUrl: options.databaseUrl,
    target,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    applicationName: options.applicationName ?? 'orgsync',
    onConnectionError: (error) =>
      logger?.warn({ source: description, err: error.message }, 'PostgreSQL connection failed'),
  };

  /** The result's columns, each `key`ed by the name orgsync reads it by (`columnMap`). */
  async function describe(client: pg.Client, signal: AbortSignal | undefined): Promise<PgColumn[]> {
    try {
      const described = await describeColumns(client, baseSql, description);
      renamer.assertColumns(
        described.map((column) => column.key),
        `${description}'s result`,
      );
      const columns = described.map((column) => ({ ...column, key: renamer.nameOf(column.key) }));
      assertColumns(columns, required, description);
      return columns;
    } catch (error) {
      signal?.throwIfAborted();
      if (error instanceof SourceError || error instanceof ConfigError) throw error;
      throw queryError(error, target);
    }
  }

  async function* records(signal: AbortSignal | undefined): AsyncGenerator<SourceRecord> {
    const session = await openPgSession(connect, signal);
    // Closing the client ends the stream with an error, which the loop below turns into the abort reason.
    const onAbort = (): void => void session.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    let stream: QueryStream | undefined;
    let reader: PgRowReader | undefined;
    try {
      const columns = await describe(session.client, signal);
      const filter = since === undefined ? undefined : sinceFilter(columns, since, description);
      const sql = filter === undefined ? baseSql : wrapSql(baseSql, filter.suffix);
      stream = session.client.query(new QueryStream(sql, filter === undefined ? [] : [filter.param], { batchSize }));
      reader = createPgRowReader(stream, session.client, signal);
      let line = 0;
      for (;;) {
        let next: IteratorResult<unknown>;
        try {
          next = await reader.next();
        } catch (error) {
          signal?.throwIfAborted();
          throw queryError(error, target);
        }
        if (next.done === true) break;
        if (!isRow(next.value)) continue;
        line += 1;
        yield renamer.rename(rowToRecord(next.value, line));
      }
      logger?.debug({ source: description, rows: line }, 'PostgreSQL source read');
    } finally {
      signal?.removeEventListener('abort', onAbort);
      reader?.dispose();
      // Not awaited: after a lost connection the stream's own close would wait forever.
      stream?.destroy();
      await session.close();
    }
  }

  async function findAccount(
    accountId: string,
    region?: string,
    findOptions?: { signal?: AbortSignal },
  ): Promise<SourceRecord | null> {
    const signal = findOptions?.signal;
    return withPgSession(connect, signal, async (client) => {
      const columns = await describe(client, signal);
      assertColumns(columns, ['account_id'], description);
      const conditions = [`${quoteIdent(findColumn(columns, 'account_id')?.name ?? 'account_id')}::text = $1`];
      const params = [accountId.trim()];
      // Without a region column (a source with one fixed region, `--region`), the id alone decides.
      const regionColumn = findColumn(columns, 'region');
      if (region !== undefined && regionColumn !== undefined) {
        conditions.push(`lower(trim(${quoteIdent(regionColumn.name)}::text)) = $2`);
        params.push(normalizeRegion(region));
      }
      try {
        const result = await client.query<Record<string, unknown>>(
          wrapSql(baseSql, `WHERE ${conditions.join(' AND ')} LIMIT 1`),
          params,
        );
        const row = result.rows[0];
        return row === undefined ? null : renamer.rename(rowToRecord(row, 1));
      } catch (error) {
        signal?.throwIfAborted();
        throw queryError(error, target, 'account lookup');
      }
    });
  }

  return {
    description,
    records: (recordOptions) => records(recordOptions?.signal),
    findAccount,
  };
}
