import { ConfigError } from '../errors.js';

/**
 * Instants of `updated_at`, to the nanosecond. PostgreSQL keeps microseconds and some APIs send
 * nanoseconds, but a JS `Date` keeps milliseconds: a watermark that went through one makes
 * `updated_at > watermark` true again, run after run, for every row of the watermark's millisecond.
 *
 * An `Instant` is a string in one canonical form, `YYYY-MM-DDTHH:MM:SS.fffffffffZ` (UTC, always
 * nine fraction digits, years 0000-9999), so two instants compare correctly with `<` and `>`.
 */
export type Instant = string;

const NANOS_PER_SECOND = 1_000_000_000n;
const NANOS_PER_MS = 1_000_000n;

/** `2024-05-06T07:08:09.123456+02:00`, `2024-05-06 07:08:09.123456+02` (PostgreSQL), offset optional. */
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(?:[Zz]|([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?$/;

/** The instant `secondsMs` (whole seconds, epoch milliseconds) plus `nanos`, or undefined outside years 0000-9999. */
function compose(secondsMs: number, nanos: number): Instant | undefined {
  const date = new Date(secondsMs);
  if (Number.isNaN(date.getTime())) return undefined;
  const iso = date.toISOString();
  // Years outside 0000-9999 are written `+010000-...` or `-000001-...`: they would not compare as text.
  if (!/^\d{4}-/.test(iso)) return undefined;
  return `${iso.slice(0, 19)}.${String(nanos).padStart(9, '0')}Z`;
}

/**
 * Reads an RFC 3339 / ISO 8601 date-time with any number of fraction digits (beyond nine they are
 * cut off, which moves the instant earlier: an incremental run then reads a little more, never
 * less). Without an offset the time is UTC. Returns undefined for anything else.
 */
export function parseInstant(text: string): Instant | undefined {
  const match = RFC3339.exec(text.trim());
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second = '0', fraction = '', sign, offsetH, offsetM, offsetS] = match;
  const parts = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [y, mo, d, h, mi, s] = parts;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined; // 2024-02-30
  const offsetSeconds =
    sign === undefined
      ? 0
      : (sign === '-' ? -1 : 1) * (Number(offsetH) * 3600 + Number(offsetM ?? 0) * 60 + Number(offsetS ?? 0));
  const nanos = Number(fraction.slice(0, 9).padEnd(9, '0'));
  return compose(date.getTime() - offsetSeconds * 1000, nanos);
}

/** A `Date` as an instant (to the millisecond, all a Date has), or undefined when invalid. */
export function instantFromDate(date: Date): Instant | undefined {
  const ms = date.getTime();
  if (Number.isNaN(ms)) return undefined;
  const secondsMs = Math.floor(ms / 1000) * 1000;
  return compose(secondsMs, (ms - secondsMs) * 1_000_000);
}

/** `parseInstant`, or else whatever `Date` makes of the text (e.g. `2026-11-01`, an HTTP date). */
export function parseInstantLoosely(text: string): Instant | undefined {
  return parseInstant(text) ?? instantFromDate(new Date(text));
}

function toEpochNanos(instant: Instant): bigint {
  return BigInt(Date.parse(`${instant.slice(0, 19)}Z`)) * NANOS_PER_MS + BigInt(instant.slice(20, 29));
}

/**
 * The instant `deltaMs` milliseconds later (earlier when negative), or undefined when that leaves
 * years 0000-9999.
 */
export function shiftInstant(instant: Instant, deltaMs: number): Instant | undefined {
  const nanos = toEpochNanos(instant) + BigInt(Math.trunc(deltaMs)) * NANOS_PER_MS;
  let seconds = nanos / NANOS_PER_SECOND;
  let rest = nanos % NANOS_PER_SECOND;
  if (rest < 0n) {
    rest += NANOS_PER_SECOND;
    seconds -= 1n;
  }
  return compose(Number(seconds) * 1000, Number(rest));
}

/**
 * The instant as RFC 3339 text for people, Redis and query strings: trailing zeros of the fraction
 * dropped, but at least milliseconds (`2024-01-02T03:04:05.678Z`, `2024-01-02T03:04:05.678901Z`).
 */
export function formatInstant(instant: Instant): string {
  const fraction = instant.slice(20, 29).replace(/0+$/, '').padEnd(3, '0');
  return `${instant.slice(0, 19)}.${fraction}Z`;
}

/** The instant cut to microseconds, PostgreSQL's precision: `2024-01-02T03:04:05.678901Z`. */
export function formatInstantMicros(instant: Instant): string {
  return `${instant.slice(0, 26)}Z`;
}

/** A source's `since` option (an `Instant`, RFC 3339 text or a `Date`) as an instant; `ConfigError` when it is none. */
export function sinceOption(since: string | Date): Instant {
  const instant = typeof since === 'string' ? parseInstant(since) : instantFromDate(since);
  if (instant === undefined)
    throw new ConfigError(['since: expected an RFC 3339 instant such as 2026-11-01T00:00:00.123456Z']);
  return instant;
}
