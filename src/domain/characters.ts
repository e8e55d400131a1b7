import { escapeText } from './safe-text.js';

/**
 * Character-level checks shared by the domain rules. Lengths are counted in Unicode code points
 * (what a person calls characters, and what Scalekit's validators count), not UTF-16 units, so an
 * emoji counts once.
 */

/** C0 and C1 control characters, DEL, and the Unicode line and paragraph separators. */
const CONTROL_CHARACTER = /[\p{Cc}\p{Zl}\p{Zp}]/u;

/** What shows on screen by itself: letters, digits, punctuation, symbols (not marks, formats or spaces). */
const VISIBLE_CHARACTER = /[\p{L}\p{N}\p{P}\p{S}]/u;

/** The number of Unicode code points in `s`. */
export function codePointLength(s: string): number {
  // Fast path: without surrogates, UTF-16 units and code points are the same.
  if (!/[\uD800-\uDFFF]/.test(s)) return s.length;
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

/**
 * The 0-based code-point position of the first control character in `s` (tab, line break, NUL,
 * DEL, U+0080–U+009F, U+2028, U+2029), or -1 when there is none.
 */
export function controlCharacterPosition(s: string): number {
  if (!CONTROL_CHARACTER.test(s)) return -1;
  let i = 0;
  for (const ch of s) {
    if (CONTROL_CHARACTER.test(ch)) return i;
    i += 1;
  }
  return -1;
}

/** Whether `s` contains a control character (see `controlCharacterPosition`). */
export function hasControlCharacter(s: string): boolean {
  return CONTROL_CHARACTER.test(s);
}

/**
 * Whether `s` has at least one character that shows by itself: a name made only of zero-width
 * spaces, bidi marks or a lone combining accent has none.
 */
export function hasVisibleCharacter(s: string): boolean {
  return VISIBLE_CHARACTER.test(s);
}

/** How a control character is named in a message: `U+001B`. */
export function codePointName(s: string, position: number): string {
  const ch = Array.from(s)[position] ?? '';
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * A value made safe to quote in a message: at most `max` code points (an ellipsis marks the cut)
 * and JSON-quoted, so control characters show as `\n`, `\t`, `\u0000`, and C1 controls, bidi
 * overrides and invisible characters as `\u009b`, `\u202e`... (`escapeText`). Never use it for
 * e-mail addresses: those are never echoed.
 */
export function quoteValue(value: string, max = 40): string {
  const points = Array.from(value);
  const shown = points.length > max ? `${points.slice(0, max).join('')}…` : value;
  return escapeText(JSON.stringify(shown));
}
