import { describe, expect, it } from 'vitest';
import { parseRetryAfterMs } from '../../../src/retry/retry-after.js';

const nowMs = Date.parse('2026-01-01T00:00:00Z');

// RFC 9110, section 10.2.3: Retry-After = HTTP-date / delay-seconds, and delay-seconds = 1*DIGIT.
describe('parseRetryAfterMs', () => {
  it.each([
    ['0', 0],
    ['2', 2_000],
    [' 7 ', 7_000],
    ['120', 120_000],
    ['Thu, 01 Jan 2026 00:00:10 GMT', 10_000], // IMF-fixdate
    ['Thursday, 01-Jan-26 00:00:20 GMT', 20_000], // obsolete RFC 850 form
    ['Thu Jan  1 00:00:30 2026', 30_000], // obsolete asctime form
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0], // in the past: go now
  ])('%j -> %s ms', (header, expected) => {
    expect(parseRetryAfterMs(header, nowMs)).toBe(expected);
  });

  // delay-seconds is a whole number: "1.5" is not a Retry-After the RFC allows, so the caller backs
  // off on its own instead of trusting it (the Scalekit client used to read it as 1,500 ms).
  it.each([[null], [undefined], [''], ['  '], ['1.5'], ['-3'], ['+5'], ['1e3'], ['0x10'], ['soon'], ['2 s']])(
    '%j -> undefined',
    (header) => {
      expect(parseRetryAfterMs(header, nowMs)).toBeUndefined();
    },
  );
});
