import { ConfigError } from '../errors.js';
import type { AccountSource } from './source.js';
import type { ColumnMapping } from './column-map.js';
import { createCsvSource } from './csv-source.js';
import { createPostgresSource } from './postgres-source.js';
import { createHttpSource } from './http-source.js';

/** Everything a source may need besides its spec; taken from configuration and flags. */
export interface SourceSettings {
  /** Columns every record must have (region is left out when a fixed region is configured). */
  requiredColumns: readonly string[];
  /** Every column orgsync reads (CSV: a repeated one is refused, other repeated columns are ignored). */
  readColumns?: readonly string[] | undefined;
  delimiter?: string | undefined;
  encoding?: string | undefined;
  databaseUrl?: string | undefined;
  pgQuery?: string | undefined;
  sourceToken?: string | undefined;
  /** Incremental runs: only accounts updated after this instant (an `Instant`, `instant.ts`). */
  since?: string | undefined;
  /** http(s) sources: the largest page, in bytes (`ORGSYNC_SOURCE_MAX_PAGE_BYTES`). */
  sourceMaxPageBytes?: number | undefined;
  /** http(s) sources: the most pages in one read (`ORGSYNC_SOURCE_MAX_PAGES`). */
  sourceMaxPages?: number | undefined;
  /** `--map` / ORGSYNC_COLUMN_MAP: the source column each mapped field is read from. */
  columnMap?: readonly ColumnMapping[] | undefined;
}

/**
 * `csv:PATH` (or a bare `*.csv` path), `postgres:` (rows of ORGSYNC_PG_QUERY) or `postgres:TABLE`,
 * or an `http(s)://` URL. Anything else is a configuration error that says what is accepted.
 */
export function createSourceFromSpec(spec: string, settings: SourceSettings): AccountSource {
  const requiredColumns = [...settings.requiredColumns];
  if (spec.startsWith('csv:') || (/\.(csv|tsv|txt)$/i.test(spec) && !/^[a-z]+:\/\//i.test(spec))) {
    const path = spec.startsWith('csv:') ? spec.slice(4) : spec;
    if (path.length === 0) throw new ConfigError(['--source csv: needs a path, e.g. csv:accounts.csv']);
    return createCsvSource({
      path,
      delimiter: settings.delimiter,
      encoding: settings.encoding,
      requiredColumns,
      readColumns: settings.readColumns,
      columnMap: settings.columnMap,
    });
  }
  if (spec === 'postgres' || spec.startsWith('postgres:')) {
    const table = spec.slice('postgres:'.length).trim() || undefined;
    const problems: string[] = [];
    if (!settings.databaseUrl)
      problems.push('DATABASE_URL is required for a postgres: source — e.g. postgres://user@host:5432/db');
    if (!table && !settings.pgQuery)
      problems.push('ORGSYNC_PG_QUERY is required for --source postgres: (or name a table: postgres:accounts)');
    if (problems.length > 0 || !settings.databaseUrl) throw new ConfigError(problems);
    return createPostgresSource({
      databaseUrl: settings.databaseUrl,
      query: table ? undefined : settings.pgQuery,
      table,
      since: settings.since,
      requiredColumns,
      columnMap: settings.columnMap,
    });
  }
  if (/^https?:\/\//i.test(spec)) {
    return createHttpSource({
      url: spec,
      token: settings.sourceToken,
      since: settings.since,
      requiredColumns,
      maxPageBytes: settings.sourceMaxPageBytes,
      maxPages: settings.sourceMaxPages,
      columnMap: settings.columnMap,
    });
  }
  throw new ConfigError([
    `--source ${JSON.stringify(spec)} is not a source orgsync knows — use csv:PATH (or a path ending in .csv), postgres: (with ORGSYNC_PG_QUERY), postgres:TABLE, or an http(s):// URL`,
  ]);
}
