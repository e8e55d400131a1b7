import { Agent, fetch as undiciFetch } from 'undici';
import { z } from 'zod';
import type {
  ApiStats,
  CreateOrganizationInput,
  OrganizationPage,
  ScalekitApi,
  UpdateOrganizationInput,
} from './api.js';
import { createTokenProvider } from './auth.js';
import { assertClientOptions, clientDefaults, type ScalekitClientOptions } from './client-options.js';
import { NotFoundError, ResponseShapeError, ValidationError } from './errors.js';
import { createRequestLoop, type RequestSpec } from './request-loop.js';
import {
  listDirectoriesResponseSchema,
  listOrganizationsResponseSchema,
  organizationEnvelopeSchema,
  type Directory,
  type Organization,
} from './schemas.js';
import { realSleep } from './sleep.js';

/** The real `ScalekitApi` adapter, plus `close()`. */
export interface ScalekitClient extends ScalekitApi {
  /** Closes the client's own connection pool (waits for requests in flight). Idempotent. */
  close(): Promise<void>;
}

type CallOptions = { signal?: AbortSignal };

const routes = {
  organizations: '/api/v1/organizations',
  organization: '/api/v1/organizations/{id}',
  byExternalId: '/api/v1/organizations:external/{external_id}',
  directories: '/api/v1/organizations/{organization_id}/directories',
} as const;

/** `DELETE` answers `{}` (google.protobuf.Empty); anything object-shaped will do. */
const emptySchema = z.looseObject({});

/** Only the keys whose value is defined: an absent key must not reach a PATCH as `null`. */
function definedOnly(input: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}

/**
 * Creates the Scalekit REST client: client-credentials auth with a cached token, every request
 * through `rateBudget`, retries decided by `decideRetry`, responses checked against the zod
 * schemas. See docs/client.md for retries, the unknown-outcome rule and the errors.
 */
export function createScalekitClient(options: ScalekitClientOptions): ScalekitClient {
  assertClientOptions(options);
  const baseUrl = options.environmentUrl.replace(/\/+$/, '');
  const ownAgent =
    options.fetch === undefined && options.dispatcher === undefined
      ? new Agent({ keepAliveTimeout: 10_000 })
      : undefined;
  const stats: ApiStats = { apiCalls: 0, tokenCalls: 0, retries: 0 };
  const now = options.now ?? Date.now;
  let closing: Promise<void> | undefined;

  const request = createRequestLoop({
    fetch: options.fetch ?? undiciFetch,
    dispatcher: options.dispatcher ?? ownAgent,
    rateBudget: options.rateBudget,
    timeoutMs: options.timeoutMs ?? clientDefaults.timeoutMs,
    maxAttempts: options.maxAttempts ?? clientDefaults.maxAttempts,
    baseDelayMs: options.baseDelayMs ?? clientDefaults.baseDelayMs,
    maxDelayMs: options.maxDelayMs ?? clientDefaults.maxDelayMs,
    sleep: options.sleep ?? realSleep,
    random: options.random ?? Math.random,
    now,
    logger: options.logger,
    onRequest: options.onRequest,
    secrets: () => [options.clientSecret, tokens.current() ?? ''],
    stats,
  });
  const tokens = createTokenProvider({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    tokenUrl: options.tokenUrl ?? `${baseUrl}/oauth/token`,
    request,
    now,
  });

  /** An authenticated `/api/v1` call. */
  function api<R>(spec: Omit<RequestSpec<R>, 'auth' | 'url'> & { path: string }): Promise<R> {
    const { path, ...rest } = spec;
    return request({ ...rest, url: `${baseUrl}${path}`, auth: tokens });
  }

  async function getOrganizationByExternalId(
    externalId: string,
    callOptions: CallOptions = {},
  ): Promise<Organization | null> {
    const context = { method: 'GET' as const, routeTemplate: routes.byExternalId };
    if (externalId === '') throw new ValidationError('the external ID is empty; pass a non-empty external ID', context);
    if (externalId === '.' || externalId === '..') {
      // URL parsers collapse dot segments, even percent-encoded ones: the request would hit another route.
      throw new ValidationError(`the external ID "${externalId}" cannot be sent in a URL path; rename it`, context);
    }
    try {
      const envelope = await api({
        ...context,
        path: `/api/v1/organizations:external/${encodeURIComponent(externalId)}`,
        schema: organizationEnvelopeSchema,
        signal: callOptions.signal,
        idempotent: true,
      });
      return envelope.organization;
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  }

  async function* listOrganizations(
    listOptions: { pageSize?: number; signal?: AbortSignal } = {},
  ): AsyncGenerator<OrganizationPage> {
    const pageSize = listOptions.pageSize ?? 100;
    let pageToken = '';
    do {
      const query = new URLSearchParams({ page_size: String(pageSize) });
      if (pageToken !== '') query.set('page_token', pageToken);
      const page = await api({
        method: 'GET',
        routeTemplate: routes.organizations,
        path: `${routes.organizations}?${query.toString()}`,
        schema: listOrganizationsResponseSchema,
        signal: listOptions.signal,
        idempotent: true,
      });
      yield { organizations: page.organizations, nextPageToken: page.next_page_token, totalSize: page.total_size };
      if (page.next_page_token !== '' && page.next_page_token === pageToken) {
        throw new ResponseShapeError('next_page_token did not advance; stopping to avoid an endless listing', {
          method: 'GET',
          routeTemplate: routes.organizations,
          issuePath: 'next_page_token',
        });
      }
      pageToken = page.next_page_token;
    } while (pageToken !== '');
  }

  return {
    listOrganizations,
    getOrganizationByExternalId,

    async getOrganization(id, callOptions = {}) {
      const envelope = await api({
        method: 'GET',
        routeTemplate: routes.organization,
        path: `${routes.organizations}/${encodeURIComponent(id)}`,
        schema: organizationEnvelopeSchema,
        signal: callOptions.signal,
        idempotent: true,
      });
      return envelope.organization;
    },

    async createOrganization(input: CreateOrganizationInput, callOptions: CallOptions = {}) {
      const externalId = input.external_id;
      const envelope = await api({
        method: 'POST',
        routeTemplate: routes.organizations,
        path: routes.organizations,
        body: { json: definedOnly(input) },
        schema: organizationEnvelopeSchema,
        signal: callOptions.signal,
        // A second POST could create a twin. With an external ID we can find out what the first
        // one did; without one, an unknown outcome is final (the next run's listing settles it).
        idempotent: false,
        ...(externalId === undefined || externalId === ''
          ? {}
          : {
              beforeResend: async (signal: AbortSignal | undefined) => {
                const existing = await getOrganizationByExternalId(externalId, signal === undefined ? {} : { signal });
                options.logger?.debug(
                  { route: routes.organizations, found: existing !== null },
                  'create outcome unknown; looked up the external ID',
                );
                return existing === null ? undefined : { value: { organization: existing } };
              },
            }),
      });
      return envelope.organization;
    },

    async updateOrganization(id: string, input: UpdateOrganizationInput, callOptions: CallOptions = {}) {
      const envelope = await api({
        method: 'PATCH',
        routeTemplate: routes.organization,
        path: `${routes.organizations}/${encodeURIComponent(id)}`,
        body: { json: definedOnly(input) },
        schema: organizationEnvelopeSchema,
        signal: callOptions.signal,
        // The same PATCH twice leaves the same state.
        idempotent: true,
      });
      return envelope.organization;
    },

    async deleteOrganization(id, callOptions = {}) {
      await api({
        method: 'DELETE',
        routeTemplate: routes.organization,
        path: `${routes.organizations}/${encodeURIComponent(id)}`,
        schema: emptySchema,
        signal: callOptions.signal,
        idempotent: true,
        // A 404 after an attempt that may have gone through means that attempt deleted it.
        recover: (error, { afterUnknownOutcome }) =>
          error instanceof NotFoundError && afterUnknownOutcome ? { value: {} } : undefined,
      });
    },

    async listDirectories(organizationId, callOptions = {}): Promise<Directory[]> {
      const response = await api({
        method: 'GET',
        routeTemplate: routes.directories,
        path: `${routes.organizations}/${encodeURIComponent(organizationId)}/directories`,
        schema: listDirectoriesResponseSchema,
        signal: callOptions.signal,
        idempotent: true,
      });
      return response.directories;
    },

    stats: () => ({ ...stats }),

    close(): Promise<void> {
      closing ??= ownAgent === undefined ? Promise.resolve() : ownAgent.close();
      return closing;
    },
  };
}
