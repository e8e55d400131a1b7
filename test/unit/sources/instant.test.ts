import { describe, expect, it } from 'vitest';
import {
  formatInstant,
  formatInstantMicros,
  instantFromDate,
  parseInstant,
  parseInstantLoosely,
  shiftInstant,
} from '../../../src/sources/instant.js';

describe('instants of updated_at, to the nanosecond', () => {
  it('reads RFC 3339 and PostgreSQL text without losing microseconds or nanoseconds', () => {
    expect(parseInstant('2024-05-06T07:08:09.123456Z')).toBe('2024-05-06T07:08:09.123456000Z');
    expect(parseInstant('2024-05-06 07:08:09.123456+00')).toBe('2024-05-06T07:08:09.123456000Z');
    expect(parseInstant('2024-05-06T07:08:09.123456789Z')).toBe('2024-05-06T07:08:09.123456789Z');
    expect(parseInstant('2024-05-06T07:08:09Z')).toBe('2024-05-06T07:08:09.000000000Z');
  });

  it('applies offsets, and reads a time without offset as UTC', () => {
    expect(parseInstant('2024-05-06 09:38:09.5+02:30')).toBe('2024-05-06T07:08:09.500000000Z');
    expect(parseInstant('2024-05-06T00:00:00.000001-05')).toBe('2024-05-06T05:00:00.000001000Z');
    expect(parseInstant('1900-01-01 00:00:00+00:09:21')).toBe('1899-12-31T23:50:39.000000000Z');
    expect(parseInstant('2024-05-06 07:08:09.25')).toBe('2024-05-06T07:08:09.250000000Z');
  });

  it('cuts digits beyond nanoseconds (earlier, never later) and refuses what is not an instant', () => {
    expect(parseInstant('2024-05-06T07:08:09.1234567899Z')).toBe('2024-05-06T07:08:09.123456789Z');
    for (const text of ['infinity', '2024-02-30T00:00:00Z', '2024-05-06', '0001-01-01 00:00:00+00 BC', ''])
      expect(parseInstant(text)).toBeUndefined();
    expect(parseInstantLoosely('2024-05-06')).toBe('2024-05-06T00:00:00.000000000Z');
    expect(parseInstantLoosely('nonsense')).toBeUndefined();
  });

  it('compares as text in time order', () => {
    const texts = ['2024-05-06T07:08:09.000001+00:00', '2024-05-06T07:08:09Z', '2024-05-06T09:08:09.0000005+02:00'];
    const instants = texts.map((t) => parseInstant(t) ?? '');
    expect([...instants].sort()).toEqual([instants[1], instants[2], instants[0]]);
  });

  it('moves by milliseconds without touching the digits below them', () => {
    const at = parseInstant('2024-01-01T00:02:00.123456789Z') ?? '';
    expect(shiftInstant(at, -5 * 60_000)).toBe('2023-12-31T23:57:00.123456789Z');
    expect(shiftInstant(at, 0)).toBe(at);
    expect(shiftInstant(parseInstant('1970-01-01T00:00:00.5Z') ?? '', -1000)).toBe('1969-12-31T23:59:59.500000000Z');
    expect(shiftInstant(parseInstant('0000-01-01T00:00:00Z') ?? '', -1)).toBeUndefined();
  });

  it('formats with at least milliseconds, and cuts to microseconds for PostgreSQL', () => {
    expect(formatInstant('2024-01-02T03:04:05.678000000Z')).toBe('2024-01-02T03:04:05.678Z');
    expect(formatInstant('2024-01-02T03:04:05.000000000Z')).toBe('2024-01-02T03:04:05.000Z');
    expect(formatInstant('2024-01-02T03:04:05.678901200Z')).toBe('2024-01-02T03:04:05.6789012Z');
    expect(formatInstantMicros('2024-01-02T03:04:05.678901299Z')).toBe('2024-01-02T03:04:05.678901Z');
    expect(instantFromDate(new Date('2024-01-02T03:04:05.678Z'))).toBe('2024-01-02T03:04:05.678000000Z');
    expect(instantFromDate(new Date('1969-12-31T23:59:59.250Z'))).toBe('1969-12-31T23:59:59.250000000Z');
  });
});
