/**
 * `Retry-After` (RFC 9110, section 10.2.3) as milliseconds from `nowMs`: `delay-seconds` (a
 * non-negative integer: `"2"`) or an `HTTP-date` (`"Wed, 21 Oct 2015 07:28:00 GMT"`). `undefined`
 * when absent or not one of these (`"1.5"`, `"-3"`, `"soon"`): the caller then backs off on its
 * own. A date in the past gives 0.
 */
export function parseRetryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its day and month; without letters, Date.parse would read "-3" as a year.
  if (!/[A-Za-z]/.test(value)) return undefined;
  const dateMs = Date.parse(value);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, dateMs - nowMs);
}
