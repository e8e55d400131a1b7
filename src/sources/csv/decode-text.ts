import iconv from 'iconv-lite';
import { ConfigError, SourceError } from '../../errors.js';
import { findInvalidUtf8 } from './find-invalid-utf8.js';
import { detectUtf16, type Utf16Evidence } from './detect-utf16.js';

/** Options of `decodeText`. */
export interface DecodeTextOptions {
  /** The file as named in messages. */
  name: string;
  /** An iconv-lite encoding name, or undefined for strictly checked UTF-8. */
  encoding?: string | undefined;
}

/** Whether an encoding name means UTF-8 (which is always decoded strictly). */
export function isUtf8Name(encoding: string): boolean {
  return /^utf-?8$/i.test(encoding.trim());
}

/** An encoding name as iconv-lite compares them: lower case, letters and digits only. */
function canonical(encoding: string): string {
  return encoding.toLowerCase().replace(/:\d{4}$|[^0-9a-z]/g, '');
}

/** iconv-lite codings that turn bytes into a text form of bytes, not into the text they hold. */
const NOT_TEXT = new Set(['base64', 'hex']);

/**
 * Checks `--encoding`: undefined for UTF-8 (the default, decoded strictly), the name for any text
 * encoding iconv-lite knows; a `ConfigError` for an unknown name or for base64/hex.
 */
export function parseEncodingOption(value: string | undefined): string | undefined {
  if (value === undefined || isUtf8Name(value)) return undefined;
  if (NOT_TEXT.has(canonical(value))) {
    throw new ConfigError([
      `encoding: ${JSON.stringify(value)} is a binary-to-text coding, not a text encoding; --encoding takes the file's character encoding, e.g. windows-1252, latin1, utf-16le or utf-8`,
    ]);
  }
  if (!iconv.encodingExists(value)) {
    throw new ConfigError([
      `encoding: ${JSON.stringify(value)} is not an encoding orgsync knows; use e.g. windows-1252, latin1, utf-16le or utf-8`,
    ]);
  }
  return value;
}

/**
 * Decodes a stream of bytes into text, chunk by chunk (constant memory). A byte-order mark is
 * removed. Without `encoding`, the input must be valid UTF-8: the first bad byte ends the stream
 * with a `SourceError` naming its line and the fixes; a UTF-16 byte-order mark is refused the same
 * way. With `encoding`, iconv-lite decodes it (the name must have been checked beforehand).
 */
export async function* decodeText(
  bytes: AsyncIterable<Uint8Array>,
  options: DecodeTextOptions,
): AsyncGenerator<string> {
  if (options.encoding !== undefined && !isUtf8Name(options.encoding)) {
    const decoder = iconv.getDecoder(options.encoding);
    let first = true;
    for await (const chunk of bytes) {
      if (first && chunk.length > 0) {
        first = false;
        checkGivenEncoding(chunk, options.encoding, options.name);
      }
      yield decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
    const rest = decoder.end();
    if (rest !== undefined && rest !== '') yield rest;
    return;
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let linesBefore = 0; // line breaks in the chunks already decoded
  let first = true;
  for await (const chunk of bytes) {
    if (first && chunk.length > 0) {
      first = false;
      refuseUtf16(chunk, options.name);
    }
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch (err) {
      const at = findInvalidUtf8(chunk);
      const line = linesBefore + countLineFeeds(chunk, at < 0 ? 0 : at) + 1;
      throw notUtf8(options.name, line, err);
    }
    linesBefore += countLineFeeds(chunk, chunk.length);
    if (text !== '') yield text;
  }
  let rest: string;
  try {
    rest = decoder.decode();
  } catch (err) {
    throw notUtf8(options.name, linesBefore + 1, err); // the file ends in the middle of a character
  }
  if (rest !== '') yield rest;
}

function countLineFeeds(bytes: Uint8Array, end: number): number {
  let n = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < end; i = bytes.indexOf(0x0a, i + 1)) n += 1;
  return n;
}

function notUtf8(name: string, line: number, cause: unknown): SourceError {
  return new SourceError(
    `${name} is not valid UTF-8 (first bad byte at line ${line}). If it was exported from Excel, re-save it as ` +
      "'CSV UTF-8', or pass --encoding with the file's encoding (windows-1252, latin1, utf-16le, ...)",
    { cause },
  );
}

function refuseUtf16(chunk: Uint8Array, name: string): void {
  const found = detectUtf16(chunk);
  if (found === undefined) return;
  throw new SourceError(
    `${name} is UTF-16 text (${describeEvidence(found)}), not UTF-8. Pass --encoding ${found.encoding}, ` +
      "or re-save the file as 'CSV UTF-8'",
  );
}

function describeEvidence(found: Utf16Evidence): string {
  const order = found.encoding === 'utf-16le' ? 'little-endian' : 'big-endian';
  return found.evidence === 'bom'
    ? `it starts with a ${order} UTF-16 byte-order mark`
    : `${order}, without a byte-order mark: every other byte is a NUL`;
}

/** With `--encoding`: refuses a file whose byte-order mark or NUL pattern says it is in another encoding. */
function checkGivenEncoding(chunk: Uint8Array, encoding: string, name: string): void {
  const given = canonical(encoding);
  const [a, b, c] = chunk;
  if (a === 0xef && b === 0xbb && c === 0xbf && !['cesu8', 'unicode11utf8'].includes(given)) {
    throw new SourceError(
      `${name} starts with a UTF-8 byte-order mark, so it is UTF-8 text, but --encoding ${encoding} was given: leave --encoding out`,
    );
  }
  const found = detectUtf16(chunk);
  if (found === undefined || given === 'utf16') return; // utf-16 reads its byte-order mark itself
  const matches = found.encoding === 'utf-16le' ? ['utf16le', 'ucs2'].includes(given) : given === 'utf16be';
  if (matches) return;
  throw new SourceError(
    `${name} is ${found.encoding === 'utf-16le' ? 'UTF-16LE' : 'UTF-16BE'} text (${describeEvidence(found)}), ` +
      `but --encoding ${encoding} was given: pass --encoding ${found.encoding}`,
  );
}
