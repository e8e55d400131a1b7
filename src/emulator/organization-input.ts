import { badRequest, isApiError, type ApiError } from './api-error.js';
import type { OrganizationFields } from './rules.js';

type FieldName = keyof OrganizationFields;

/** JSON key (proto name or lowerCamel JSON name, as protojson accepts both) → field. */
const CREATE_KEYS: ReadonlyMap<string, FieldName> = new Map<string, FieldName>([
  ['display_name', 'display_name'],
  ['displayName', 'display_name'],
  ['external_id', 'external_id'],
  ['externalId', 'external_id'],
  ['metadata', 'metadata'],
  ['slug', 'slug'],
  ['logo_url', 'logo_url'],
  ['logoUrl', 'logo_url'],
  ['region_code', 'region_code'],
  ['regionCode', 'region_code'],
]);

/** UpdateOrganization has no region_code: "Region code cannot be modified". */
const UPDATE_KEYS: ReadonlyMap<string, FieldName> = new Map([...CREATE_KEYS].filter(([, f]) => f !== 'region_code'));

function invalidValue(kind: string, key: string, value: unknown): ApiError {
  return badRequest(`proto: invalid value for ${kind} field ${key}: ${JSON.stringify(value)}`);
}

function parseStringMap(key: string, value: unknown): Record<string, string> | ApiError {
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return invalidValue('map', key, value);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') return invalidValue('string', `${key}[${JSON.stringify(k)}]`, v);
    out[k] = v;
  }
  return out;
}

function assignField(
  fields: OrganizationFields,
  field: FieldName,
  key: string,
  value: unknown,
  mode: 'create' | 'update',
): ApiError | null {
  if (field === 'metadata') {
    const map = parseStringMap(key, value);
    if (isApiError(map)) return map;
    fields.metadata = map;
    return null;
  }
  if (field === 'region_code') {
    if (value === null) return null;
    if (value !== 'US' && value !== 'EU') return invalidValue('enum', key, value);
    fields.region_code = value;
    return null;
  }
  if (value !== null && typeof value !== 'string') return invalidValue('string', key, value);
  if (field === 'display_name') {
    // protojson leaves a null field at its zero value; on update the mask still names it.
    if (value === null) {
      if (mode === 'update') fields.display_name = '';
      return null;
    }
    fields.display_name = value;
    return null;
  }
  // Optional strings: "" or null means unset on create and "clear" on update.
  const cleared = value === null || value === '';
  if (mode === 'create') {
    if (!cleared) fields[field] = value;
  } else {
    fields[field] = cleared ? null : value;
  }
  return null;
}

/**
 * Parses the JSON body of `POST /api/v1/organizations` (`mode: 'create'`) or
 * `PATCH /api/v1/organizations/{id}` (`mode: 'update'`). Create ignores unknown keys, as
 * grpc-gateway's unmarshaller does; update rejects them, as its field-mask builder does.
 */
export function parseOrganizationInput(body: unknown, mode: 'create' | 'update'): OrganizationFields | ApiError {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return badRequest('proto: syntax error: the request body must be a JSON object');
  }
  const keys = mode === 'create' ? CREATE_KEYS : UPDATE_KEYS;
  const fields: OrganizationFields = {};
  const seen = new Set<FieldName>();
  for (const [key, value] of Object.entries(body)) {
    const field = keys.get(key);
    if (!field) {
      if (mode === 'update')
        return badRequest(`could not find field "${key}" in "scalekit.v1.organizations.UpdateOrganization"`);
      continue;
    }
    if (seen.has(field)) return badRequest(`proto: duplicate field "${key}"`);
    seen.add(field);
    const problem = assignField(fields, field, key, value, mode);
    if (problem) return problem;
  }
  return fields;
}
