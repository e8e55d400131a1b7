/**
 * Data shapes of the emulator: what it stores, what it emits (Scalekit's REST shapes, snake_case)
 * and what a seed file holds.
 */

/** One feature toggle in `settings.features`. */
export interface OrganizationFeature {
  name: string;
  enabled: boolean;
}

/** An organization as the API emits it (protojson, proto names, unpopulated fields emitted). */
export interface OrganizationJson {
  id: string;
  display_name: string;
  /** Omitted when unset (a proto3 `optional` field). */
  external_id?: string;
  metadata: Record<string, string>;
  region_code: 'US' | 'EU';
  create_time: string;
  update_time: string;
  settings: { features: OrganizationFeature[] };
  slug?: string;
  logo_url?: string;
}

/** A directory as `GET /api/v1/organizations/{organization_id}/directories` emits it. */
export interface DirectoryJson {
  id: string;
  name: string;
  organization_id: string;
  directory_type: 'SCIM' | 'LDAP' | 'POLL';
  directory_provider: 'OKTA' | 'GOOGLE' | 'MICROSOFT_AD' | 'AUTH0' | 'ONELOGIN' | 'JUMPCLOUD' | 'PING_IDENTITY';
  enabled: boolean;
  status: string;
  directory_endpoint: string;
  total_users: number;
  total_groups: number;
  secrets: never[];
  email: string;
  groups_tracked: string;
  last_synced_at?: string;
}
