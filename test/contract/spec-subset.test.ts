/**
 * spec/scalekit.yaml is the contract the other contract tests use (Prism). It is cut out of
 * Scalekit's official OpenAPI document; these tests keep it complete and, when the official
 * document is checked out beside the repository (../shared/reference/scalekit.yaml), faithful to it.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OFFICIAL_SCALEKIT_SPEC_PATH, SCALEKIT_SPEC_PATH } from '../helpers/prism.js';
import { danglingRefs, differencesFromOfficial, readOpenApi, type OpenApiDocument } from '../helpers/spec-compare.js';

const ours = readOpenApi(SCALEKIT_SPEC_PATH);
const officialPresent = existsSync(OFFICIAL_SCALEKIT_SPEC_PATH);

describe('spec/scalekit.yaml', () => {
  it('describes exactly the operations orgsync calls, and the OAuth 2.0 token URL', () => {
    const operations = Object.entries(ours.paths ?? {}).flatMap(([path, item]) =>
      Object.entries(item ?? {}).map(([method, op]) => `${method.toUpperCase()} ${path} ${op?.operationId}`),
    );
    expect(operations.sort()).toEqual([
      'DELETE /api/v1/organizations/{id} OrganizationService_DeleteOrganization',
      'GET /api/v1/organizations OrganizationService_ListOrganization',
      'GET /api/v1/organizations/{id} OrganizationService_GetOrganization',
      'GET /api/v1/organizations/{organization_id}/directories DirectoryService_ListDirectories',
      'GET /api/v1/organizations:external/{external_id} OrganizationService_GetOrganizationByExternalId',
      'PATCH /api/v1/organizations/{id} OrganizationService_UpdateOrganization',
      'POST /api/v1/organizations OrganizationService_CreateOrganization',
    ]);
    expect(ours).toMatchObject({
      components: {
        securitySchemes: {
          oauth2: { flows: { clientCredentials: { tokenUrl: 'https://$SCALEKIT_ENVIRONMENT_URL/oauth/token' } } },
        },
        // The detail every error answer carries: {"code", "message", "details": [{"@type", "error_code"}]}.
        schemas: { errdetailsErrorInfo: { properties: { error_code: { type: 'string' } } } },
      },
    });
  });

  it('resolves every $ref within itself', () => {
    expect(danglingRefs(ours)).toEqual([]);
  });
});

describe('the comparison with the official document', () => {
  const official: OpenApiDocument = {
    paths: {
      '/api/v1/things/{id}': {
        get: {
          operationId: 'ThingService_GetThing',
          parameters: [{ name: 'id', in: 'path', schema: { type: 'string' } }],
          responses: { '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } } },
        },
      },
    },
    components: {
      schemas: {
        Thing: {
          type: 'object',
          properties: { id: { type: 'string' }, size: { type: 'integer', format: 'int64' }, extra: { type: 'string' } },
        },
      },
    },
  };

  it('accepts a subset (fewer fields) of the same types', () => {
    const subset: OpenApiDocument = structuredClone(official);
    delete subset.components?.schemas?.Thing?.properties?.extra;
    expect(differencesFromOfficial(subset, official)).toEqual([]);
  });

  it('names every path, method, operation id, parameter, status, schema and field that drifted', () => {
    const drifted: OpenApiDocument = structuredClone(official);
    const get = drifted.paths?.['/api/v1/things/{id}']?.get;
    if (!get?.parameters?.[0] || !get.responses) throw new Error('fixture');
    get.operationId = 'ThingService_Fetch';
    get.parameters[0].schema = { type: 'integer' };
    get.responses['404'] = {};
    drifted.paths = { ...drifted.paths, '/api/v1/widgets': { post: { operationId: 'W' } } };
    drifted.components = {
      schemas: {
        Thing: { type: 'object', properties: { id: { type: 'string' }, size: { type: 'string' }, colour: {} } },
        Widget: { type: 'object' },
      },
    };
    expect(differencesFromOfficial(drifted, official)).toEqual([
      'GET /api/v1/things/{id}: operationId ThingService_Fetch (official: ThingService_GetThing)',
      expect.stringMatching(
        /^GET \/api\/v1\/things\/\{id\}: parameter id is .*"integer".* \(official: .*"string".*\)$/,
      ),
      'GET /api/v1/things/{id}: response 404 not in the official document',
      'path /api/v1/widgets: not in the official document',
      expect.stringMatching(/^schema Thing: field size is .*"string".* \(official: .*"integer".*"int64".*\)$/),
      'schema Thing: field colour not in the official document',
      'schema Widget: not in the official document',
    ]);
  });
});

if (!officialPresent)
  console.warn(
    `spec/scalekit.yaml was NOT compared with Scalekit's official document: ${OFFICIAL_SCALEKIT_SPEC_PATH} is absent.`,
  );

describe('against the official document', () => {
  // The only test that depends on a file outside the repository. Without ../shared it cannot
  // compare anything, and says so in its name and as a skipped test in the totals.
  it.skipIf(!officialPresent)(
    officialPresent
      ? `every path, method and schema field of spec/scalekit.yaml exists in ${OFFICIAL_SCALEKIT_SPEC_PATH} with the same type`
      : `NOT CHECKED: ${OFFICIAL_SCALEKIT_SPEC_PATH} is absent (check out shared/ beside the repository to compare)`,
    () => {
      expect(differencesFromOfficial(ours, readOpenApi(OFFICIAL_SCALEKIT_SPEC_PATH))).toEqual([]);
    },
  );
});
