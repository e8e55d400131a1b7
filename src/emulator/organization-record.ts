import type { OrganizationFeature, OrganizationJson } from './types.js';

/** How the store keeps an organization. `seq` orders listing; `jsonText` caches the emitted JSON. */
export interface OrganizationRecord {
  readonly seq: number;
  readonly id: string;
  display_name: string;
  external_id: string | undefined;
  metadata: Record<string, string>;
  readonly region_code: 'US' | 'EU';
  readonly create_time: string;
  update_time: string;
  settings: { features: OrganizationFeature[] };
  slug: string | undefined;
  logo_url: string | undefined;
  /** @internal serialized form; cleared by every change. */
  jsonText: string | undefined;
}

/** The default feature toggles of a new organization. */
export function defaultSettings(): { features: OrganizationFeature[] } {
  return { features: [{ name: 'sso', enabled: false }, { name: 'dir_sync', enabled: false }] };
}

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

const DEFAULT_SETTINGS_TEXT = JSON.stringify(defaultSettings());

/**
 * `JSON.stringify(toOrganizationJson(record))` with the same key order, written by hand (listing
 * is the hot path) and cached until the record changes.
 */
export function organizationJsonText(record: OrganizationRecord): string {
  if (record.jsonText !== undefined) return record.jsonText;
  const str = JSON.stringify;
  let text = `{"id":${str(record.id)},"display_name":${str(record.display_name)}`;
  text += `,"metadata":${str(record.metadata)},"region_code":"${record.region_code}"`;
  text += `,"create_time":"${record.create_time}","update_time":"${record.update_time}"`;
  const features = record.settings.features;
  const isDefault = features.length === 2 && features[0]?.name === 'sso' && features[0].enabled === false && features[1]?.name === 'dir_sync' && features[1].enabled === false;
  text += `,"settings":${isDefault ? DEFAULT_SETTINGS_TEXT : str({ features: features.map((f) => ({ name: f.name, enabled: f.enabled })) })}`;
  if (record.external_id !== undefined) text += `,"external_id":${str(record.external_id)}`;
  if (record.slug !== undefined) text += `,"slug":${str(record.slug)}`;
  if (record.logo_url !== undefined) text += `,"logo_url":${str(record.logo_url)}`;
  record.jsonText = `${text}}`;
  return record.jsonText;
}
