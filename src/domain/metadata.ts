import { codePointLength, hasControlCharacter, quoteValue } from './characters.js';
import { RowErrorCode } from './row-error-codes.js';

/** Scalekit's metadata limits (reference §3): per organization, in characters. */
export const METADATA_LIMITS = {
  maxPairs: 10,
  keyMinLength: 3,
  keyMaxLength: 25,
  valueMinLength: 1,
  valueMaxLength: 256,
} as const;

/**
 * Checks a configured metadata key name (ORGSYNC_METADATA_KEYS). Returns what is wrong, ready to
 * be listed in a configuration error, or `null` when the name is fine: 3–25 characters, no control
 * characters, no surrounding spaces.
 */
export function validateMetadataKeyName(key: string): string | null {
  const length = codePointLength(key);
  const { keyMinLength: min, keyMaxLength: max } = METADATA_LIMITS;
  if (length < min || length > max) {
    return `metadata key ${quoteValue(key)} is ${length} characters long; Scalekit accepts keys of ${min}–${max} characters`;
  }
  if (hasControlCharacter(key)) return `metadata key ${quoteValue(key)} contains a control character; remove it`;
  if (key.trim() !== key) return `metadata key ${quoteValue(key)} starts or ends with a space; remove it`;
  return null;
}

/**
 * The metadata map to send in a PATCH (which replaces the whole map): `current` with every owned
 * key set to its desired value, or removed when the desired value is `null`. Every key orgsync does
 * not own is kept untouched, in its place; owned keys missing from `desired` are left as they are;
 * keys of `desired` that are not owned are ignored. New owned keys go last, in `ownedKeys` order.
 */
export function mergeMetadata(
  current: Readonly<Record<string, string>>,
  desired: Readonly<Record<string, string | null>>,
  ownedKeys: readonly string[],
): Record<string, string> {
  const owned = new Set(ownedKeys);
  const desiredOf = (key: string): string | null | undefined =>
    owned.has(key) && Object.hasOwn(desired, key) ? desired[key] : undefined;
  const entries: [string, string][] = [];
  for (const [key, value] of Object.entries(current)) {
    const wanted = desiredOf(key);
    if (wanted === undefined) entries.push([key, value]);
    else if (wanted !== null) entries.push([key, wanted]);
  }
  for (const key of owned) {
    const wanted = desiredOf(key);
    if (wanted !== undefined && wanted !== null && !Object.hasOwn(current, key)) entries.push([key, wanted]);
  }
  // Object.fromEntries defines own properties, so even a key named `__proto__` survives.
  return Object.fromEntries(entries);
}

/** A metadata map that Scalekit would refuse. */
export interface MetadataProblem {
  code: typeof RowErrorCode.METADATA_TOO_MANY_PAIRS;
  field: 'metadata';
  message: string;
}

/**
 * Checks a merged metadata map against Scalekit's limit of 10 pairs per organization. The message
 * says how many keys belong to someone else (they are never removed by orgsync) and what to do.
 * Keys and values need no check here: owned values are checked when the row is parsed, owned
 * keys when the configuration is loaded, and foreign ones were accepted by Scalekit already.
 */
export function checkMergedMetadata(
  merged: Readonly<Record<string, string>>,
  ownedKeys: readonly string[],
): MetadataProblem | null {
  const keys = Object.keys(merged);
  const { maxPairs } = METADATA_LIMITS;
  if (keys.length <= maxPairs) return null;
  const owned = new Set(ownedKeys);
  const foreign = keys.filter((key) => !owned.has(key));
  const shown = foreign.slice(0, 12).join(', ') + (foreign.length > 12 ? `, … (${foreign.length - 12} more)` : '');
  return {
    code: RowErrorCode.METADATA_TOO_MANY_PAIRS,
    field: 'metadata',
    message:
      `the organization would have ${keys.length} metadata pairs; Scalekit allows at most ${maxPairs}. ` +
      `It already has ${foreign.length} key(s) that orgsync does not own (${shown || 'none'}) and orgsync would set ` +
      `${keys.length - foreign.length}. Remove unused keys from the organization in Scalekit, ` +
      'or leave some owned metadata cells empty for this account',
  };
}
