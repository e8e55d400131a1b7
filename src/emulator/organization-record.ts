import type { OrganizationFeature, OrganizationJson } from './types.js';

/** How the store keeps an organization. `seq` orders listing. */
export interface OrganizationRecord {
  readonly seq: number;
  readonly id: string;
  display_name: string;
  external_id: string | undefined;
  metadata: Record<string, string>;
  readonly region_code: 'US' | 'EU';
  readonly create_time: string;
  update_time: string;
  /** Never mutated in place (records may share `DEFAULT_SETTINGS`). */
  readonly settings: { readonly features: readonly Readonly<OrganizationFeature>[] };
  slug: string | undefined;
  logo_url: string | undefined;
}

/** The feature toggles of a new organization, shared by every record that has them. */
export const DEFAULT_SETTINGS: OrganizationRecord['settings'] = Object.freeze({
  features: Object.freeze([
    Object.freeze({ name: 'sso', enabled: false }),
    Object.freeze({ name: 'dir_sync', enabled: false }),
  ]),
});

/**
 * RFC 3339 in UTC the way protojson writes a Timestamp: no fraction when it is zero, otherwise
 * milliseconds (protojson uses 0, 3, 6 or 9 digits).
 */
export function formatTimestamp(epochMs: number): string {
  // Bulk inserts stamp many records within one millisecond: reuse the last string.
  if (epochMs === lastFormatted.epochMs) return lastFormatted.text;
  const iso = new Date(epochMs).toISOString();
  lastFormatted = { epochMs, text: iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso };
  return lastFormatted.text;
}

let lastFormatted = { epochMs: Number.NaN, text: '' };

/**
 * The organization as the API emits it: protojson with proto names and unpopulated fields
 * emitted (`metadata: {}`), except proto3 `optional` fields, which are omitted when unset.
 */
export function toOrganizationJson(record: OrganizationRecord): OrganizationJson {
  const json: OrganizationJson = {
    id: record.id,
    display_name: record.display_name,
    metadata: { ...record.metadata },
    region_code: record.region_code,
    create_time: record.create_time,
    update_time: record.update_time,
    settings: { features: record.settings.features.map((f) => ({ ...f })) },
  };
  if (record.external_id !== undefined) json.external_id = record.external_id;
  if (record.slug !== undefined) json.slug = record.slug;
  if (record.logo_url !== undefined) json.logo_url = record.logo_url;
  return json;
}

const DEFAULT_SETTINGS_TEXT = JSON.stringify(DEFAULT_SETTINGS);

/**
 * `JSON.stringify(toOrganizationJson(record))` with the same key order, written by hand because
 * listing is the hot path (about 1 µs per organization). Not cached: keeping 200,000 strings
 * alive costs more in garbage collection than building them again.
 */
export function organizationJsonText(record: OrganizationRecord): string {
  const str = JSON.stringify;
  let text = `{"id":${str(record.id)},"display_name":${str(record.display_name)}`;
  text += `,"metadata":${str(record.metadata)},"region_code":"${record.region_code}"`;
  text += `,"create_time":"${record.create_time}","update_time":"${record.update_time}"`;
  const features = record.settings.features;
  text += `,"settings":${record.settings === DEFAULT_SETTINGS ? DEFAULT_SETTINGS_TEXT : str({ features: features.map((f) => ({ name: f.name, enabled: f.enabled })) })}`;
  if (record.external_id !== undefined) text += `,"external_id":${str(record.external_id)}`;
  if (record.slug !== undefined) text += `,"slug":${str(record.slug)}`;
  if (record.logo_url !== undefined) text += `,"logo_url":${str(record.logo_url)}`;
  return `${text}}`;
}
