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
  const iso = new Date(epochMs).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

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

/** `JSON.stringify(toOrganizationJson(record))`, cached until the record changes. */
export function organizationJsonText(record: OrganizationRecord): string {
  record.jsonText ??= JSON.stringify(toOrganizationJson(record));
  return record.jsonText;
}
