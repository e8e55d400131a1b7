import { badRequest, routingError, type ApiError } from './api-error.js';

/** The Scalekit operations the emulator serves. */
export type ApiOperation =
  | 'listOrganizations'
  | 'createOrganization'
  | 'getOrganization'
  | 'getOrganizationByExternalId'
  | 'updateOrganization'
  | 'deleteOrganization'
  | 'listDirectories';

/** A matched route: the operation, its template (for counters) and its decoded path parameters. */
export interface ApiRouteMatch {
  operation: ApiOperation;
  template: string;
  params: Record<string, string>;
}

/** The template counters use for a path that matches no route. */
export const UNMATCHED_ROUTE = '(unmatched)';

const ORGS = '/api/v1/organizations';
const ORG = '/api/v1/organizations/{id}';
const BY_EXTERNAL = '/api/v1/organizations:external/{external_id}';
const DIRECTORIES = '/api/v1/organizations/{organization_id}/directories';

function decode(segment: string): string | ApiError {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A stray '%' is the client's mistake, as in grpc-gateway's path unescaping.
    return badRequest(`invalid percent-encoding in path segment ${JSON.stringify(segment)}`);
  }
}

function pick(method: string, byMethod: Partial<Record<string, ApiOperation>>): ApiOperation | ApiError {
  return byMethod[method] ?? routingError('method-not-allowed');
}

/**
 * Matches `method` and the raw (still percent-encoded) `path` the way grpc-gateway's mux does:
 * an unknown path is 404 "Not Found", a known path with another method is 501.
 */
export function matchApiRoute(method: string, path: string): ApiRouteMatch | ApiError {
  const segments = path.split('/');
  // ['', 'api', 'v1', <collection>, ...]
  if (segments[1] !== 'api' || segments[2] !== 'v1') return routingError('not-found');
  const collection = segments[3];
  const rest = segments.slice(4);
  if (collection === 'organizations') {
    if (rest.length === 0) {
      const operation = pick(method, { GET: 'listOrganizations', POST: 'createOrganization' });
      return typeof operation === 'string' ? { operation, template: ORGS, params: {} } : operation;
    }
    const id = decode(rest[0] ?? '');
    if (typeof id !== 'string') return id;
    if (rest.length === 1 && id !== '') {
      const operation = pick(method, {
        GET: 'getOrganization',
        PATCH: 'updateOrganization',
        DELETE: 'deleteOrganization',
      });
      return typeof operation === 'string' ? { operation, template: ORG, params: { id } } : operation;
    }
    if (rest.length === 2 && rest[1] === 'directories' && id !== '') {
      const operation = pick(method, { GET: 'listDirectories' });
      return typeof operation === 'string'
        ? { operation, template: DIRECTORIES, params: { organization_id: id } }
        : operation;
    }
  }
  if (collection === 'organizations:external' && rest.length === 1) {
    const externalId = decode(rest[0] ?? '');
    if (typeof externalId !== 'string') return externalId;
    const operation = pick(method, { GET: 'getOrganizationByExternalId' });
    return typeof operation === 'string'
      ? { operation, template: BY_EXTERNAL, params: { external_id: externalId } }
      : operation;
  }
  return routingError('not-found');
}
