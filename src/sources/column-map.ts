import { columnKey, type SourceRecord } from '../domain/account-record.js';
import { escapeText } from '../domain/safe-text.js';
import type { ColumnMapEntry } from '../config-rules.js';
import { ConfigError } from '../errors.js';

/**
 * One entry of `--map` / ORGSYNC_COLUMN_MAP: orgsync's `field` (`display_name`, an owned metadata
 * key...) is read from the source's `column` (CSV header, PostgreSQL result column, HTTP page field).
 * Both are column keys (trimmed, lower-cased); `loadConfig` has checked that every field is one of
 * orgsync's, that no field is mapped twice and that no two fields share a column.
 */
export type ColumnMapping = ColumnMapEntry;

/** How a source applies a column map: the names orgsync reads its columns by. */
export interface ColumnRenamer {
  /** No mapping: every name is its own. */
  readonly identity: boolean;
  /**
   * The name orgsync reads a source column by: its field when the column is mapped; a column named
   * like a field that is read from another column is not read (it keeps a name saying so, which the
   * report lists among the columns orgsync does not read); any other column keeps its name.
   */
  nameOf(column: string): string;
  /** The source column a field is read from. */
  columnOf(field: string): string;
  /** The record's values under the names orgsync reads them by (`nameOf`). */
  rename(record: SourceRecord): SourceRecord;
  /**
   * Throws a `ConfigError` naming each mapping whose column the source does not have, and the
   * columns it has (`present`: column keys; `where`: the source, and where its columns were seen).
   */
  assertColumns(present: Iterable<string>, where: string): void;
}

/** A renamer for `mapping` (empty or undefined: the identity). */
export function createColumnRenamer(mapping: readonly ColumnMapping[] = []): ColumnRenamer {
  const byColumn = new Map(mapping.map((m) => [columnKey(m.column), columnKey(m.field)]));
  const byField = new Map(mapping.map((m) => [columnKey(m.field), columnKey(m.column)]));
  const nameOf = (column: string): string => {
    const field = byColumn.get(column);
    if (field !== undefined) return field;
    const readFrom = byField.get(column);
    return readFrom === undefined ? column : `${column} (not read: --map ${column}=${readFrom})`;
  };
  return {
    identity: mapping.length === 0,
    nameOf,
    columnOf: (field) => byField.get(columnKey(field)) ?? field,
    rename(record) {
      if (mapping.length === 0) return record;
      // fromEntries defines own properties, so a column named `__proto__` stays an ordinary value.
      const values = Object.fromEntries(
        Object.entries(record.values).map(([column, value]) => [nameOf(column), value]),
      );
      return { ...record, values };
    },
    assertColumns(present, where) {
      if (mapping.length === 0) return;
      const have = new Set([...present].map(columnKey));
      const problems = mapping
        .filter((m) => !have.has(columnKey(m.column)))
        .map(
          (m) =>
            `column map (--map / ORGSYNC_COLUMN_MAP) ${escapeText(m.field)}=${escapeText(m.column)}: ${where} has no column ${quote(m.column)} to read ${m.field} from; ` +
            `its columns are ${listColumns(have)}. Fix the map (FIELD=SOURCE_COLUMN) or the source`,
        );
      if (problems.length > 0) throw new ConfigError(problems);
    },
  };
}

function quote(column: string): string {
  return `"${escapeText(column.length > 80 ? `${column.slice(0, 80)}…` : column)}"`;
}

function listColumns(columns: ReadonlySet<string>): string {
  const named = [...columns].filter((c) => c !== '').map(quote);
  if (named.length === 0) return 'none';
  return named.length > 30 ? `${named.slice(0, 30).join(', ')}, … (${named.length - 30} more)` : named.join(', ');
}
