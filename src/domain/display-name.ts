/** Scalekit's limits on an organization's display name, in characters, after trimming. */
export const DISPLAY_NAME_LIMITS = { minLength: 1, maxLength: 200 } as const;

/**
 * The form in which display names are compared when looking for an adoptable organization: the
 * design says "equals (after trimming)", so only surrounding whitespace is removed; case and inner
 * spacing count.
 */
export function normalizeDisplayName(name: string): string {
  return name.trim();
}
