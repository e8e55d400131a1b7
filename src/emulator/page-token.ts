/**
 * Opaque page tokens. A token names a position in insertion order (a sequence number) and a
 * direction, so it stays valid when organizations before or after it are deleted. Clients must
 * not parse tokens; the format may change.
 */
export interface PagePosition {
  direction: 'after' | 'before';
  seq: number;
}

const PREFIX = 'emu1';

/** Encodes a position as base64url text. */
export function encodePageToken(position: PagePosition): string {
  const text = `${PREFIX}:${position.direction === 'after' ? 'a' : 'b'}:${position.seq}`;
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** Decodes a token, or returns `null` when it is not one this emulator issued. */
export function parsePageToken(token: string): PagePosition | null {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(token)) return null;
  const match = /^emu1:([ab]):(\d{1,15})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match?.[1] || !match[2]) return null;
  return { direction: match[1] === 'a' ? 'after' : 'before', seq: Number(match[2]) };
}
