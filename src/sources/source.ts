/**
 * One record as a source yields it, before any validation. Values are raw strings (or null for
 * an SQL NULL / JSON null / missing column), keyed by lower-cased, trimmed column name.
 */
export interface SourceRecord {
  /** Where the record starts: the physical line in a CSV (header = 1), the row number (1-based) elsewhere. */
  line: number;
  values: Record<string, string | null>;
  /**
   * From an `updated_at` column or field, for incremental runs: an `Instant` (`instant.ts`), to the
   * source's full precision (`2024-05-06T07:08:09.123456000Z`), so that two compare as strings.
   */
  updatedAt?: string;
}

/** The port every host-system source implements (CSV, PostgreSQL, HTTP). */
export interface AccountSource {
  /** How the source is named in reports and logs (`csv:accounts.csv`, `postgres:`, a URL without credentials). */
  readonly description: string;
  /**
   * Streams the records. Throws `SourceError` when the source cannot be read at all (missing file,
   * missing required columns, connection refused); a bad record is yielded, never thrown.
   */
  records(options?: { signal?: AbortSignal }): AsyncIterable<SourceRecord>;
}
