import { codePointLength, hasControlCharacter } from './characters.js';

/** Scalekit's limit on an external ID, in characters (docs: "max 255 chars"). */
export const MAX_EXTERNAL_ID_LENGTH = 255;

/**
 * The external ID of an account: `<region>-<account_id>` (design section 2). Both parts must
 * already be normalised (region lower-cased and trimmed, account ID trimmed).
 */
export function externalIdOf(region: string, accountId: string): string {
  // A concatenation is kept by V8 as a pair of pointers to its parts (a "cons string"); an external
  // ID lives as long as the plan (a million of them, in a big run), so it is made one flat string.
  return JSON.parse(JSON.stringify(`${region}-${accountId}`)) as string;
}

/**
 * Whether `id` may be sent to Scalekit as an external ID: non-empty, at most 255 characters,
 * and free of control characters.
 */
export function isValidExternalId(id: string): boolean {
  return id.length > 0 && codePointLength(id) <= MAX_EXTERNAL_ID_LENGTH && !hasControlCharacter(id);
}
