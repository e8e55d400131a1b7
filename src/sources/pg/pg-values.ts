import { types, type CustomTypesConfig } from 'pg';
import type { SourceRecord } from '../source.js';

/** Parses `timestamp without time zone` as UTC, whatever the time zone of this process. */
function parseUtcTimestamp(text: string): Date | string {
  const date = new Date(`${text.replace(' ', 'T')}Z`);
  // 'infinity', BC dates and the like stay as PostgreSQL wrote them.
  return Number.isNaN(date.getTime()) ? text : date;
}

function keepText(text: string): string {
  return text;
}

/**
 * The driver's parsers, except that `date` stays `YYYY-MM-DD` (the default makes a local-midnight
 * Date) and `timestamp` (without time zone) is read as UTC, so output never depends on the host's TZ.
 */
export const pgTypeParsers: CustomTypesConfig = {
  getTypeParser: (oid, format) => {
    if (oid === types.builtins.DATE) return keepText;
    if (oid === types.builtins.TIMESTAMP) return parseUtcTimestamp;
    return types.getTypeParser(oid, format);
  },
};

/** One column value as a source string: numbers and booleans as text, timestamps as ISO 8601, NULL as null. */
export function toSourceValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  return JSON.stringify(value);
}

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'string') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
}

/** A driver row as a `SourceRecord`: keys lower-cased and trimmed, `updatedAt` from `updated_at`. */
export function rowToRecord(row: Record<string, unknown>, line: number): SourceRecord {
  const values: Record<string, string | null> = {};
  let updatedAt: Date | undefined;
  for (const [column, value] of Object.entries(row)) {
    const key = column.trim().toLowerCase();
    values[key] = toSourceValue(value);
    if (key === 'updated_at') updatedAt = toDate(value);
  }
  return updatedAt === undefined ? { line, values } : { line, values, updatedAt };
}
