import { columnKey } from '../../domain/account-record.js';
import type pg from 'pg';
import { SourceError } from '../../errors.js';
import { wrapSql } from './pg-sql.js';

/** One column of the source's result. */
export interface PgColumn {
  /** As PostgreSQL names it (quote it with `quoteIdent` to refer to it). */
  name: string;
  /** Lower-cased and trimmed: the key of `SourceRecord.values`. */
  key: string;
  /** The column's type OID (`pg.types.builtins`). */
  dataTypeId: number;
}

/**
 * The columns the source's SQL returns, read with `LIMIT 0` so that nothing is fetched. Throws
 * `SourceError` when two columns would share one key (the driver would silently keep the last).
 */
export async function describeColumns(client: pg.Client, baseSql: string, description: string): Promise<PgColumn[]> {
  const result = await client.query(wrapSql(baseSql, 'LIMIT 0'));
  const columns = result.fields.map((field) => ({
    name: field.name,
    key: columnKey(field.name),
    dataTypeId: field.dataTypeID,
  }));
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column.key)) {
      throw new SourceError(
        `${description}: the query returns more than one column named "${column.key}"; give each a distinct alias`,
      );
    }
    seen.add(column.key);
  }
  return columns;
}

/** Throws `SourceError` naming every missing column and the columns the query did return. */
export function assertColumns(columns: readonly PgColumn[], required: readonly string[], description: string): void {
  const present = new Set(columns.map((column) => column.key));
  const missing = required.map(columnKey).filter((key) => !present.has(key));
  if (missing.length === 0) return;
  const returned = columns.length === 0 ? '(none)' : columns.map((column) => column.key).join(', ');
  throw new SourceError(
    `${description}: missing required column${missing.length === 1 ? '' : 's'} ${missing.join(', ')}; the query returned: ${returned}`,
  );
}

/** The column whose key is `key`, if the result has one. */
export function findColumn(columns: readonly PgColumn[], key: string): PgColumn | undefined {
  return columns.find((column) => column.key === key);
}
