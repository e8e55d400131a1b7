import { types, type CustomTypesConfig } from 'pg';
import { instantFromDate, parseInstant, parseInstantLoosely, type Instant } from '../instant.js';
import { columnKey, type SourceRecord } from '../../domain/account-record.js';

/**
 * A `timestamptz` or `timestamp` value: `instant` keeps PostgreSQL's microseconds (for the
 * watermark of incremental runs), `text` is what the record's values show (ISO 8601 UTC, to the
 * millisecond, as before).
 */
class PgTimestamp {
  readonly text: string;
  constructor(readonly instant: Instant) {
    this.text = `${instant.slice(0, 23)}Z`;
  }
}

/** `timestamp without time zone` as UTC, whatever the time zone of this process; 'infinity', BC dates stay text. */
function parseUtcTimestamp(text: string): Date | string {
  const date = new Date(`${text.replace(' ', 'T')}Z`);
  return Number.isNaN(date.getTime()) ? text : date;
}

/**
 * Reads a timestamp to the microsecond (the driver's own parser makes a millisecond `Date`); what
 * is not an ordinary instant ('infinity', BC dates) goes to `fallback` as before.
 */
function timestampParser(fallback: (text: string) => unknown): (text: string) => unknown {
  return (text) => {
    const instant = parseInstant(text);
    return instant === undefined ? fallback(text) : new PgTimestamp(instant);
  };
}

function keepText(text: string): string {
  return text;
}

const parseTimestamptz = timestampParser(types.getTypeParser(types.builtins.TIMESTAMPTZ, 'text'));
const parseTimestamp = timestampParser(parseUtcTimestamp);

/**
 * The driver's parsers, except that `date` stays `YYYY-MM-DD` (the default makes a local-midnight
 * Date), `timestamp` (without time zone) is read as UTC, so output never depends on the host's TZ,
 * and both timestamps keep their microseconds.
 */
export const pgTypeParsers: CustomTypesConfig = {
  getTypeParser: (oid, format) => {
    if (oid === types.builtins.DATE) return keepText;
    if (oid === types.builtins.TIMESTAMPTZ) return parseTimestamptz;
    if (oid === types.builtins.TIMESTAMP) return parseTimestamp;
    return types.getTypeParser(oid, format);
  },
};

/** One column value as a source string: numbers and booleans as text, timestamps as ISO 8601, NULL as null. */
export function toSourceValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof PgTimestamp) return value.text;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  return JSON.stringify(value);
}

function toInstant(value: unknown): Instant | undefined {
  if (value instanceof PgTimestamp) return value.instant;
  if (value instanceof Date) return instantFromDate(value);
  if (typeof value === 'string') return parseInstantLoosely(value);
  return undefined;
}

/** A driver row as a `SourceRecord`: keys lower-cased and trimmed, `updatedAt` from `updated_at`. */
export function rowToRecord(row: Record<string, unknown>, line: number): SourceRecord {
  const values: Record<string, string | null> = {};
  let updatedAt: Instant | undefined;
  for (const [column, value] of Object.entries(row)) {
    const key = columnKey(column);
    values[key] = toSourceValue(value);
    if (key === 'updated_at') updatedAt = toInstant(value);
  }
  return updatedAt === undefined ? { line, values } : { line, values, updatedAt };
}
