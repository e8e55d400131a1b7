/** Scalekit allows at most this many metadata pairs on one organization. */
export const MAX_METADATA_PAIRS = 10;

/** The organization's metadata after orgsync sets its owned keys (null = remove); other keys kept. */
export function mergeOwnedMetadata(current: Record<string, string>, desired: Record<string, string | null>): Record<string, string> {
  const merged: Record<string, string> = { ...current };
  for (const [key, value] of Object.entries(desired)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** A problem when the merge would exceed Scalekit's 10 pairs, else null. */
export function mergedMetadataProblem(
  current: Record<string, string>,
  desired: Record<string, string | null>,
): { code: string; message: string } | null {
  const merged = mergeOwnedMetadata(current, desired);
  const count = Object.keys(merged).length;
  if (count <= MAX_METADATA_PAIRS) return null;
  const foreign = Object.keys(current).filter((k) => !(k in desired)).length;
  return {
    code: 'METADATA_TOO_MANY_PAIRS',
    message: `the organization would carry ${count} metadata pairs after the update, but Scalekit allows ${MAX_METADATA_PAIRS}; it already has ${foreign} keys that orgsync does not own. Remove some of those keys in Scalekit, or leave some owned columns empty.`,
  };
}
