import iconv from 'iconv-lite';
import { SourceError } from '../../errors.js';
import { findInvalidUtf8 } from './find-invalid-utf8.js';

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
    for await (const chunk of bytes) yield decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
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
  const [a, b] = chunk;
  const encoding = a === 0xff && b === 0xfe ? 'utf-16le' : a === 0xfe && b === 0xff ? 'utf-16be' : undefined;
  if (encoding === undefined) return;
  throw new SourceError(
    `${name} is UTF-16 text (it starts with a UTF-16 byte-order mark), not UTF-8. Pass --encoding ${encoding}, ` +
      "or re-save the file as 'CSV UTF-8'",
  );
}
