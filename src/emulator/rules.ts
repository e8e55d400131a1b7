import type { FieldViolation } from './api-error.js';

/** Scalekit's documented limits (reference notes §3). */
export const LIMITS = {
  displayNameMaxChars: 200,
  externalIdMaxChars: 255,
  metadataMaxPairs: 10,
  metadataKeyMinChars: 3,
  metadataKeyMaxChars: 25,
  metadataValueMinChars: 1,
  metadataValueMaxChars: 256,
  slugMaxChars: 253,
  logoUrlMaxChars: 1024,
} as const;

const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * The writable fields of an organization after parsing. A key that is absent means "not sent";
 * `null` for an optional field means "clear it".
 */
export interface OrganizationFields {
  display_name?: string;
  external_id?: string | null;
  metadata?: Record<string, string>;
  slug?: string | null;
  logo_url?: string | null;
  region_code?: 'US' | 'EU';
}

/** Length in code points, as protovalidate counts (`string.max_len` is in characters, not bytes). */
export function charLength(value: string): number {
  let n = 0;
  for (const _ of value) n += 1;
  return n;
}

function lengthViolation(field: string, value: string, min: number, max: number): FieldViolation | null {
  // A string of L UTF-16 units has between L/2 and L code points: most values need no count.
  if (value.length <= max && Math.ceil(value.length / 2) >= min) return null;
  const n = charLength(value);
  if (n < min)
    return { field, description: `value length must be at least ${min} characters`, constraint: 'string.min_len' };
  if (n > max)
    return { field, description: `value length must be at most ${max} characters`, constraint: 'string.max_len' };
  return null;
}

function metadataViolations(metadata: Record<string, string>): FieldViolation[] {
  const out: FieldViolation[] = [];
  const keys = Object.keys(metadata);
  if (keys.length > LIMITS.metadataMaxPairs) {
    out.push({
      field: 'metadata',
      description: `map must be at most ${LIMITS.metadataMaxPairs} entries`,
      constraint: 'map.max_pairs',
    });
  }
  for (const key of keys) {
    const field = `metadata[${JSON.stringify(key)}]`;
    const keyProblem = lengthViolation(field, key, LIMITS.metadataKeyMinChars, LIMITS.metadataKeyMaxChars);
    if (keyProblem) out.push({ ...keyProblem, description: `key ${keyProblem.description}` });
    const valueProblem = lengthViolation(
      field,
      metadata[key] ?? '',
      LIMITS.metadataValueMinChars,
      LIMITS.metadataValueMaxChars,
    );
    if (valueProblem) out.push(valueProblem);
  }
  return out;
}

/**
 * Checks the fields that are present against Scalekit's limits. `requireDisplayName` is set on
 * create, where `display_name` is REQUIRED. Returns every violation (empty when valid).
 */
export function validateOrganizationFields(fields: OrganizationFields, requireDisplayName: boolean): FieldViolation[] {
  const out: FieldViolation[] = [];
  const push = (v: FieldViolation | null): void => {
    if (v) out.push(v);
  };
  if (fields.display_name !== undefined)
    push(lengthViolation('display_name', fields.display_name, 1, LIMITS.displayNameMaxChars));
  else if (requireDisplayName)
    out.push({ field: 'display_name', description: 'value is required', constraint: 'required' });
  if (typeof fields.external_id === 'string')
    push(lengthViolation('external_id', fields.external_id, 0, LIMITS.externalIdMaxChars));
  if (fields.metadata) out.push(...metadataViolations(fields.metadata));
  if (typeof fields.slug === 'string' && fields.slug !== '') {
    push(lengthViolation('slug', fields.slug, 1, LIMITS.slugMaxChars));
    if (!SLUG_PATTERN.test(fields.slug))
      out.push({ field: 'slug', description: 'value does not match the slug pattern', constraint: 'string.pattern' });
  }
  if (typeof fields.logo_url === 'string' && fields.logo_url !== '') {
    push(lengthViolation('logo_url', fields.logo_url, 0, LIMITS.logoUrlMaxChars));
    if (!fields.logo_url.startsWith('https://'))
      out.push({ field: 'logo_url', description: 'value must use the https scheme', constraint: 'string.pattern' });
  }
  return out;
}
