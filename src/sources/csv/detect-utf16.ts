/** What says that bytes are UTF-16, and in which byte order. */
export interface Utf16Evidence {
  encoding: 'utf-16le' | 'utf-16be';
  /** `bom`: a byte-order mark; `nul-pattern`: every other byte is a NUL (mostly ASCII text). */
  evidence: 'bom' | 'nul-pattern';
}

/** How many leading bytes the NUL pattern looks at. */
const SAMPLE_BYTES = 1024;

/**
 * Whether the start of a file is UTF-16: a byte-order mark (FF FE or FE FF, not the FF FE 00 00 of
 * UTF-32), or, without one, NUL bytes in at least half of the odd (little-endian) or even
 * (big-endian) positions of the first KiB and almost none in the others. A CSV header is mostly
 * ASCII, which UTF-16 writes as one NUL and one letter; UTF-8 text has no reason to hold NULs at all.
 */
export function detectUtf16(bytes: Uint8Array): Utf16Evidence | undefined {
  const [a, b, c, d] = bytes;
  if (a === 0xff && b === 0xfe && !(c === 0 && d === 0)) return { encoding: 'utf-16le', evidence: 'bom' };
  if (a === 0xfe && b === 0xff) return { encoding: 'utf-16be', evidence: 'bom' };
  const pairs = Math.floor(Math.min(bytes.length, SAMPLE_BYTES) / 2);
  if (pairs < 2) return undefined;
  let evenNuls = 0;
  let oddNuls = 0;
  for (let i = 0; i < pairs * 2; i += 2) {
    if (bytes[i] === 0) evenNuls += 1;
    if (bytes[i + 1] === 0) oddNuls += 1;
  }
  if (oddNuls >= pairs / 2 && evenNuls <= pairs / 20) return { encoding: 'utf-16le', evidence: 'nul-pattern' };
  if (evenNuls >= pairs / 2 && oddNuls <= pairs / 20) return { encoding: 'utf-16be', evidence: 'nul-pattern' };
  return undefined;
}
