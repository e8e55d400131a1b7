import { checkMergedMetadata, mergeMetadata } from '../domain/metadata.js';

/**
 * The organization's metadata after orgsync sets the keys in `desired` (null = remove); every other
 * key is kept. `desired` holds owned keys only (an account's metadata, or a plan's changes).
 */
export function mergeOwnedMetadata(
  current: Record<string, string>,
  desired: Record<string, string | null>,
): Record<string, string> {
  return mergeMetadata(current, desired, Object.keys(desired));
}

/** A problem when the merge would exceed Scalekit's 10 pairs, else null. */
export function mergedMetadataProblem(
  current: Record<string, string>,
  desired: Record<string, string | null>,
  ownedKeys: readonly string[] = Object.keys(desired),
): { code: string; message: string } | null {
  const problem = checkMergedMetadata(mergeOwnedMetadata(current, desired), ownedKeys);
  return problem ? { code: problem.code, message: problem.message } : null;
}
