/**
 * One account record as a source yields it, before any validation: the domain's raw input
 * (`parseAccount` turns it into an `Account`). Values are raw strings (or null for an SQL NULL /
 * JSON null / empty value), keyed by `columnKey` of the column or field name.
 */
export interface SourceRecord {
  /** Where the record starts: the physical line in a CSV (header = 1), the row number (1-based) elsewhere. */
  line: number;
  values: Record<string, string | null>;
  /**
   * From an `updated_at` column or field, for incremental runs: an `Instant` (`sources/instant.ts`),
   * to the source's full precision (`2024-05-06T07:08:09.123456000Z`), so that two compare as strings.
   */
  updatedAt?: string;
}

/**
 * The key a column (CSV header, SQL column, JSON field, configured metadata key) is known by:
 * trimmed and lower-cased, so `Display_Name ` and `display_name` are one column.
 */
export function columnKey(name: string): string {
  return name.trim().toLowerCase();
}
