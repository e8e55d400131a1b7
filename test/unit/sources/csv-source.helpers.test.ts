import { describe, expect, it } from 'vitest';
import { detectDelimiter, parseDelimiterOption } from '../../../src/sources/csv/detect-delimiter.js';
import { findInvalidUtf8 } from '../../../src/sources/csv/find-invalid-utf8.js';

describe('detectDelimiter', () => {
  it.each([
    ['account_id,region,display_name\n', ','],
    ['account_id;region;display_name\r\n', ';'],
    ['account_id\tregion\tdisplay_name\n', '\t'],
    ['"a;b";"c,d";e\n', ';'], // delimiters inside quotes do not count
    ['"x, y, z";a\n', ';'],
    ['only_one_column\n', ','],
    ['a,b;c\n', ','], // a tie goes to the comma
    ['\n\n  \n;;;\na;b\n', ';'], // blank lines, and lines of delimiters only, are skipped
  ])('%j -> %j', (text, delimiter) => {
    expect(detectDelimiter(text)).toEqual({ delimiter, complete: true });
  });

  it('says when the header line is not complete yet', () => {
    expect(detectDelimiter('a;b;c')).toEqual({ delimiter: ';', complete: false });
    expect(detectDelimiter('"a\nb";c')).toEqual({ delimiter: ';', complete: false });
  });
});

describe('parseDelimiterOption', () => {
  it.each([
    [',', ','],
    [';', ';'],
    ['|', '|'],
    ['tab', '\t'],
    ['TAB', '\t'],
    ['\\t', '\t'],
    ['\t', '\t'],
    ['semicolon', ';'],
  ])('%j -> %j', (value, delimiter) => {
    expect(parseDelimiterOption(value)).toBe(delimiter);
  });

  it('refuses anything else', () => {
    expect(parseDelimiterOption('::')).toBeUndefined();
    expect(parseDelimiterOption('constructor')).toBeUndefined();
    expect(parseDelimiterOption('')).toBeUndefined();
  });
});

describe('findInvalidUtf8', () => {
  const bytes = (...values: number[]) => Uint8Array.from(values);

  it('finds nothing in valid UTF-8, or in a character cut at the end of the chunk', () => {
    expect(findInvalidUtf8(new TextEncoder().encode('abc é € 😀'))).toBe(-1);
    expect(findInvalidUtf8(bytes(0x61, 0xe2, 0x82))).toBe(-1);
  });

  it('skips the end of a character begun in the previous chunk', () => {
    expect(findInvalidUtf8(bytes(0x82, 0xac, 0x61))).toBe(-1);
  });

  it.each([
    ['a Latin-1 é', [0x61, 0xe9, 0x62], 1],
    ['a stray continuation byte', [0x61, 0x62, 0x63, 0x64, 0x80], 4],
    ['an overlong encoding', [0x61, 0xc0, 0xaf], 1],
    ['a surrogate', [0x61, 0xed, 0xa0, 0x80], 1],
    ['beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['a lead byte followed by ASCII', [0xc3, 0x41], 0],
  ])('points at %s', (_what, values, index) => {
    expect(findInvalidUtf8(bytes(...values))).toBe(index);
  });
});
