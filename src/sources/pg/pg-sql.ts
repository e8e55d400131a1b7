import { ConfigError } from '../../errors.js';

/** Quotes one SQL identifier exactly as written (so it is case-sensitive and cannot inject SQL). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `SELECT * FROM "schema"."table"` for `table` or `schema.table`. */
export function tableSql(table: string): string {
  const parts = table.trim().split('.');
  if (parts.length > 2 || parts.some((part) => part.length === 0)) {
    throw new ConfigError([
      `--source postgres:${table}: invalid table name, expected postgres:TABLE or postgres:SCHEMA.TABLE`,
    ]);
  }
  return `SELECT * FROM ${parts.map(quoteIdent).join('.')}`;
}

/** The user's query without trailing semicolons, so that it can be wrapped in a subquery. */
export function querySql(query: string): string {
  const sql = query.trim().replace(/[\s;]+$/, '');
  if (sql.length === 0) throw new ConfigError(['ORGSYNC_PG_QUERY is empty']);
  return sql;
}

/**
 * Wraps the source's SQL so that filters apply to its result. The line breaks keep a trailing
 * `-- comment` in the user's query from swallowing the wrapper.
 */
export function wrapSql(baseSql: string, suffix: string): string {
  return `SELECT * FROM (\n${baseSql}\n) AS src ${suffix}`;
}
