/**
 * The index of the first byte in `bytes` that cannot be part of well-formed UTF-8, or -1 when
 * there is none (a sequence cut off at the end is not counted: the next chunk may complete it).
 * Up to three continuation bytes at the very start are skipped, as they may finish a sequence
 * begun in the previous chunk. Used only to say where a decoding error is, so it favours clarity
 * over speed.
 */
export function findInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < 3 && i < bytes.length && isContinuation(bytes[i] ?? 0)) i += 1;
  while (i < bytes.length) {
    const lead = bytes[i] ?? 0;
    const length = sequenceLength(lead);
    if (length === 0) return i;
    for (let k = 1; k < length; k += 1) {
      if (i + k >= bytes.length) return -1;
      const [min, max] = k === 1 ? secondByteRange(lead) : [0x80, 0xbf];
      const byte = bytes[i + k] ?? 0;
      if (byte < min || byte > max) return i;
    }
    i += length;
  }
  return -1;
}

function isContinuation(byte: number): boolean {
  return byte >= 0x80 && byte <= 0xbf;
}

/** 1–4 for a valid lead byte, 0 for a byte that can never start a character. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** The allowed range of the second byte (Unicode Table 3-7: no overlongs, no surrogates, ≤ U+10FFFF). */
function secondByteRange(lead: number): [number, number] {
  if (lead === 0xe0) return [0xa0, 0xbf];
  if (lead === 0xed) return [0x80, 0x9f];
  if (lead === 0xf0) return [0x90, 0xbf];
  if (lead === 0xf4) return [0x80, 0x8f];
  return [0x80, 0xbf];
}
