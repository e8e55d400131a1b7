import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeLines, escapeText } from '../../../src/domain/safe-text.js';

/** Anything a terminal may obey or hide: C0, DEL, C1, separators, format characters, lone surrogates. */
const UNSAFE_FOUND = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b\u200e\u200f\u061c\ufeff\u00ad]/u;

describe('escapeText', () => {
  it('writes terminal controls as JSON escapes: ESC and CSI sequences, C1, DEL, NUL, BEL', () => {
    expect(escapeText('a\u001b[2J\u001b]0;pwned\u0007b')).toBe('a\\u001b[2J\\u001b]0;pwned\\u0007b');
    expect(escapeText('x\u009b31my')).toBe('x\\u009b31my');
    expect(escapeText('del\u007f nul\u0000')).toBe('del\\u007f nul\\u0000');
    expect(escapeText('tab\there\r\nnext')).toBe('tab\\there\\r\\nnext');
  });

  it('escapes line and paragraph separators, bidi overrides and isolates, invisible format characters', () => {
    expect(escapeText('a\u2028b\u2029c')).toBe('a\\u2028b\\u2029c');
    expect(escapeText('\u202egnp.exe')).toBe('\\u202egnp.exe');
    expect(escapeText('\u2066x\u2069 \u200e\u200f\u061c')).toBe('\\u2066x\\u2069 \\u200e\\u200f\\u061c');
    expect(escapeText('zero\u200bwidth\ufeff soft\u00adhyphen')).toBe('zero\\u200bwidth\\ufeff soft\\u00adhyphen');
  });

  it('escapes lone surrogates and astral format characters as UTF-16 escapes', () => {
    expect(escapeText('a\ud800b\udc00')).toBe('a\\ud800b\\udc00');
    expect(escapeText('tag\u{e0041}')).toBe('tag\\udb40\\udc41');
  });

  it('keeps ordinary text of any script, emoji and the joiners they need', () => {
    for (const text of ['Café Münster', 'Ωμέγα', '東京', 'شركة', 'नमस्ते', '👨‍👩‍👧', 'می‌خواهم', 'O"Brien \\ back']) {
      expect(escapeText(text)).toBe(text);
    }
  });

  it('leaves nothing unsafe, is idempotent, and stays a valid JSON string body (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (raw) => {
        const once = escapeText(raw);
        expect(once).not.toMatch(UNSAFE_FOUND);
        expect(escapeText(once)).toBe(once);
        // Inside a JSON string the escapes decode back to the original characters.
        const json = JSON.stringify(raw);
        expect(JSON.parse(escapeText(json))).toBe(raw);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('escapeLines', () => {
  it("keeps the program's own line breaks and escapes everything else line by line", () => {
    expect(escapeLines('orgsync: bad file\u001b[2J\n  - second\u009b line')).toBe(
      'orgsync: bad file\\u001b[2J\n  - second\\u009b line',
    );
  });
});
