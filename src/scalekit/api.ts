import type { Directory, Organization } from './schemas.js';

/** One page of `GET /api/v1/organizations`. */
export interface OrganizationPage {
  organizations: Organization[];
  /** Empty string on the last page. */
  nextPageToken: string;
  /** Scalekit's count of organizations in the whole environment. */
  totalSize: number;
}

/** Fields sent on create. */
export interface CreateOrganizationInput {
  display_name: string;
  external_id?: string;
  metadata?: Record<string, string>;
}

/** A partial update: only the keys present are sent. `metadata`, when present, replaces the whole map. */
export interface UpdateOrganizationInput {
  display_name?: string;
  external_id?: string;
  metadata?: Record<string, string>;
}

/** Counters kept by a client, for `summary.api_calls` and benchmarks. */
export interface ApiStats {
  /** Requests sent to `/api/v1/...`, retries included; token requests excluded. */
  apiCalls: number;
  /** Requests sent to `/oauth/token`. */
  tokenCalls: number;
  /** Requests retried (subset of apiCalls). */
  retries: number;
}

/**
 * The port the engine uses to reach Scalekit. `ScalekitClient` is the real adapter; tests may
 * pass anything that has this shape. Every method throws a `ScalekitError` subclass on failure
 * (after the client's own retries).
 */
export interface ScalekitApi {
  /** Pages of the whole environment, 100 per page, in Scalekit's order. */
  listOrganizations(options?: { pageSize?: number; signal?: AbortSignal }): AsyncIterable<OrganizationPage>;
  getOrganization(id: string, options?: { signal?: AbortSignal }): Promise<Organization>;
  /** `null` when no organization has this external ID (404). */
  getOrganizationByExternalId(externalId: string, options?: { signal?: AbortSignal }): Promise<Organization | null>;
  createOrganization(input: CreateOrganizationInput, options?: { signal?: AbortSignal }): Promise<Organization>;
  updateOrganization(
    id: string,
    input: UpdateOrganizationInput,
    options?: { signal?: AbortSignal },
  ): Promise<Organization>;
  deleteOrganization(id: string, options?: { signal?: AbortSignal }): Promise<void>;
  listDirectories(organizationId: string, options?: { signal?: AbortSignal }): Promise<Directory[]>;
  stats(): ApiStats;
}
