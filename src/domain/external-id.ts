import { codePointLength, hasControlCharacter } from './characters.js';

/** Scalekit's limit on an external ID, in characters (docs: "max 255 chars"). */
export const MAX_EXTERNAL_ID_LENGTH = 255;

/** A region as the domain compares it: trimmed and lower-cased (`' US-East '` is `us-east`). */
export function normalizeRegion(region: string): string {
  return region.trim().toLowerCase();
}

/**
 * The external ID of an account: `<region>-<account_id>` (design section 2). Both parts must
 * already be normalised (region lower-cased and trimmed, account ID trimmed).
 */
export function externalIdOf(region: string, accountId: string): string {
  return `${region}-${accountId}`;
}

/**
 * Whether `id` may be sent to Scalekit as an external ID: non-empty, at most 255 characters,
 * and free of control characters.
 */
export function isValidExternalId(id: string): boolean {
  return id.length > 0 && codePointLength(id) <= MAX_EXTERNAL_ID_LENGTH && !hasControlCharacter(id);
}

/** Whether `externalId` is `<region>-<something>`: the region prefix and a non-empty account ID after it. */
function hasRegionPrefix(externalId: string, region: string): boolean {
  return externalId.length > region.length + 1 && externalId.startsWith(`${region}-`);
}

/** True when an organization's external ID belongs to one of the managed regions. */
export function isManagedExternalId(externalId: string | null | undefined, regions: readonly string[]): boolean {
  if (!externalId) return false;
  return regions.some((region) => hasRegionPrefix(externalId, region));
}

/**
 * Every account ID `externalId` could stand for, one per configured region it starts with, in the
 * order of `regions`: `us-east-CUST-2` is `CUST-2`, and also `east-CUST-2` when `us` is a region too.
 */
export function accountIdsOf(externalId: string, regions: readonly string[]): string[] {
  return regions
    .filter((region) => hasRegionPrefix(externalId, region))
    .map((region) => externalId.slice(region.length + 1));
}

/**
 * The account an external ID belongs to: `us-east-CUST-1` → region `us-east`, account `CUST-1`;
 * `null` when no configured region prefixes it. The longest matching region wins, should one region
 * be a prefix of another (`us` and `us-east`).
 */
export function splitExternalId(
  externalId: string,
  regions: readonly string[],
): { region: string; accountId: string } | null {
  let region: string | undefined;
  for (const candidate of regions)
    if (hasRegionPrefix(externalId, candidate) && candidate.length > (region?.length ?? -1)) region = candidate;
  return region === undefined ? null : { region, accountId: externalId.slice(region.length + 1) };
}
