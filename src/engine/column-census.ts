import { columnKey } from '../domain/account-record.js';

/** How many unknown column names a run keeps (an HTTP source may send any number of fields). */
const MAX_UNKNOWN_COLUMNS = 20;

/** Columns the engine reads besides the owned metadata keys (`updated_at`: incremental runs). */
const READ_COLUMNS = ['account_id', 'region', 'display_name', 'updated_at'];

/**
 * Which columns the records of a run carried. A CSV or PostgreSQL record carries every column of
 * its header or result, even when empty; an HTTP page object or a webhook's account carries the
 * fields it has. So an owned key that no record carried is "not managed in this run" (design
 * section 2), and a column orgsync does not read is listed, so that a misspelled header shows.
 */
export interface ColumnCensus {
  /** Notes one record's column names (its values are not read). */
  note(values: Readonly<Record<string, unknown>>): void;
  /** The owned keys (as configured) that no record carried. */
  unmanagedKeys(): string[];
  /** Columns that orgsync does not read, in the order first seen (at most 20, then `…`). */
  unknownColumns(): string[];
}

export function createColumnCensus(metadataKeys: readonly string[]): ColumnCensus {
  const owned = new Map(metadataKeys.map((key) => [columnKey(key), key]));
  const read = new Set([...READ_COLUMNS, ...owned.keys()]);
  const carried = new Set<string>();
  const unknown = new Set<string>();
  let overflow = false;
  return {
    note(values) {
      for (const column in values) {
        if (read.has(column)) {
          if (owned.has(column)) carried.add(column);
        } else if (!unknown.has(column)) {
          if (unknown.size < MAX_UNKNOWN_COLUMNS) unknown.add(column);
          else overflow = true;
        }
      }
    },
    unmanagedKeys: () => [...owned].filter(([column]) => !carried.has(column)).map(([, key]) => key),
    unknownColumns: () => [...unknown, ...(overflow ? ['…'] : [])],
  };
}
