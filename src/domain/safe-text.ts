/**
 * The one escape for text that came from outside (file names, header names, IDs, row messages)
 * before it reaches a terminal, a log line or summary.md. A CSV can carry characters that a
 * terminal obeys instead of showing: ESC and CSI sequences that clear the screen or set the window
 * title, C1 controls (U+0080–U+009F, U+009B being an 8-bit CSI), DEL, line and paragraph
 * separators (U+2028/2029), bidi overrides and isolates that reorder what follows, invisible format
 * characters (zero-width spaces, soft hyphens, the BOM), and lone surrogates.
 *
 * Each such character is written as a JSON escape (`\t`, `\n`, `\r`, `\u001b`, `\u202e`, a lone
 * surrogate as `\ud800`, a character above U+FFFF as its surrogate pair), so that:
 * - what is shown is plain printable text, with the culprit visible;
 * - the escape is also valid inside a JSON string: the logger runs it over whole JSON lines;
 * - it is idempotent: escaped text has nothing left to escape, so layers may apply it twice.
 * The zero-width joiner and non-joiner (U+200C/U+200D) are kept: scripts and emoji need them and a
 * terminal does nothing with them.
 */

/** C0, DEL, C1, U+2028/2029, format characters (bidi controls, zero-width and tag characters, BOM) but ZWNJ/ZWJ, lone surrogates. */
const UNSAFE =
  /(?![\u200c\u200d])[\p{Cc}\p{Zl}\p{Zp}\p{Cf}]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/gu;

const SHORT: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeCharacter(ch: string): string {
  const short = SHORT[ch];
  if (short !== undefined) return short;
  let out = '';
  for (let i = 0; i < ch.length; i += 1) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/** `text` with every character a terminal could obey, or would hide, written as a JSON escape. */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, escapeCharacter);
}

/** `escapeText` on each line of a block the program laid out itself: its own line breaks stay. */
export function escapeLines(text: string): string {
  return text.split('\n').map(escapeText).join('\n');
}
