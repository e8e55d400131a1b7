import { badRequest, invalidArgument, isApiError, notFound, type ApiError } from './api-error.js';
import type { ApiRouteMatch } from './api-router.js';
import { parseOrganizationInput } from './organization-input.js';
import type { EmulatorStore } from './store.js';

/** A successful answer, and the write it applied (for counters). */
export interface ApiResult {
  status: number;
  bodyText: string;
  write?: 'create' | 'update' | 'delete';
}

/** A request as the handlers see it. */
export interface ApiRequest {
  match: ApiRouteMatch;
  query: URLSearchParams;
  /** The parsed JSON body (`{}` when the body was empty). */
  body: unknown;
}

const DEFAULT_PAGE_SIZE = 10;
const MAX_PAGE_SIZE = 100;
const MAX_ID_CHARS = 32;

/** grpc-gateway accepts a query parameter by its proto name or its JSON name. */
function queryParam(query: URLSearchParams, protoName: string, jsonName: string): string | null {
  return query.get(protoName) ?? query.get(jsonName);
}

function parsePageSize(raw: string | null): number | ApiError {
  if (raw === null || raw === '') return DEFAULT_PAGE_SIZE;
  if (!/^\d+$/.test(raw))
    return badRequest(
      `type mismatch, parameter: page_size, error: strconv.ParseUint: parsing ${JSON.stringify(raw)}: invalid syntax`,
    );
  const size = Number(raw);
  if (size === 0) return DEFAULT_PAGE_SIZE;
  return Math.min(size, MAX_PAGE_SIZE);
}

function checkId(id: string): ApiError | null {
  if (id.length > MAX_ID_CHARS) {
    return invalidArgument([
      {
        field: 'id',
        description: `value length must be at most ${MAX_ID_CHARS} characters`,
        constraint: 'string.max_len',
      },
    ]);
  }
  return null;
}

function organizationBody(organization: unknown): string {
  return JSON.stringify({ organization });
}

function listOrganizations(store: EmulatorStore, query: URLSearchParams): ApiResult | ApiError {
  const pageSize = parsePageSize(queryParam(query, 'page_size', 'pageSize'));
  if (isApiError(pageSize)) return pageSize;
  const pageToken = queryParam(query, 'page_token', 'pageToken') ?? undefined;
  const externalId = queryParam(query, 'external_id', 'externalId') ?? undefined;
  const page = store.listPage({ pageSize, pageToken, externalId });
  if (isApiError(page)) return page;
  const bodyText =
    `{"organizations":${page.organizationsJson},"next_page_token":${JSON.stringify(page.nextPageToken)},` +
    `"prev_page_token":${JSON.stringify(page.prevPageToken)},"total_size":${page.totalSize}}`;
  return { status: 200, bodyText };
}

/** Runs one matched API operation against the store. */
export function handleApiRequest(store: EmulatorStore, request: ApiRequest): ApiResult | ApiError {
  const { match, query, body } = request;
  const id = match.params['id'] ?? match.params['organization_id'] ?? '';
  switch (match.operation) {
    case 'listOrganizations':
      return listOrganizations(store, query);
    case 'createOrganization': {
      const fields = parseOrganizationInput(body, 'create');
      if (isApiError(fields)) return fields;
      const created = store.create(fields);
      // The spec lists 201 for create (plain grpc-gateway would answer 200).
      return isApiError(created) ? created : { status: 201, bodyText: organizationBody(created), write: 'create' };
    }
    case 'getOrganization': {
      const organization = checkId(id) ?? store.get(id) ?? notFound(`organization ${id} not found`);
      return isApiError(organization) ? organization : { status: 200, bodyText: organizationBody(organization) };
    }
    case 'getOrganizationByExternalId': {
      const externalId = match.params['external_id'] ?? '';
      // With ?id= the request's oneof resolves to id, and the server then misses the external ID.
      if (externalId === '' || query.has('id')) return badRequest('ExternalId is required');
      const organization = store.getByExternalId(externalId);
      if (!organization) return notFound(`organization with external_id ${JSON.stringify(externalId)} not found`);
      return { status: 200, bodyText: organizationBody(organization) };
    }
    case 'updateOrganization': {
      const fields = checkId(id) ?? parseOrganizationInput(body, 'update');
      if (isApiError(fields)) return fields;
      const updated = store.update(id, fields);
      return isApiError(updated) ? updated : { status: 200, bodyText: organizationBody(updated), write: 'update' };
    }
    case 'deleteOrganization': {
      const problem = checkId(id);
      if (problem) return problem;
      return store.delete(id)
        ? { status: 200, bodyText: '{}', write: 'delete' }
        : notFound(`organization ${id} not found`);
    }
    case 'listDirectories': {
      const directories = store.listDirectories(id);
      if (!directories) return notFound(`organization ${id} not found`);
      return { status: 200, bodyText: JSON.stringify({ directories }) };
    }
  }
}
