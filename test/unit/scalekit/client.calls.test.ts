import { describe, expect, it } from 'vitest';
import { createScalekitClient } from '../../../src/scalekit/client.js';
import type { ScalekitClientOptions } from '../../../src/scalekit/client-options.js';
import { ConfigError } from '../../../src/errors.js';
import { ConflictError, NotFoundError, ResponseShapeError, ValidationError } from '../../../src/scalekit/errors.js';
import { unlimitedBudget } from '../../../src/scalekit/token-bucket.js';
import type { Reply, Script } from './scripted-server.js';
import { apiRequests, organizationJson as org, useScriptedClients, withTokens } from './scripted-client.js';

const notFound: Reply = { status: 404, json: { code: 5, message: 'organization not found' } };

const clients = useScriptedClients();

async function setup(script: Script, extra: Partial<ScalekitClientOptions> = {}) {
  const { server, client } = await clients.start(withTokens(script), extra);
  return { server, client, api: () => apiRequests(server) };
}

describe('listOrganizations', () => {
  it('walks every page with page_size 100 and page_token until next_page_token is empty', async () => {
    const pages: Record<string, unknown> = {
      '': { organizations: [org('org_1'), org('org_2')], next_page_token: 'p2', prev_page_token: '', total_size: 5 },
      p2: { organizations: [org('org_3'), org('org_4')], next_page_token: 'p3', total_size: 5 },
      p3: { organizations: [org('org_5')], next_page_token: '', total_size: 5 },
    };
    const { client, api } = await setup((req) => ({
      status: 200,
      json: pages[new URL(req.url, 'http://x').searchParams.get('page_token') ?? ''],
    }));
    const seen: string[] = [];
    for await (const page of client.listOrganizations()) {
      expect(page.totalSize).toBe(5);
      seen.push(...page.organizations.map((o) => o.id));
    }
    expect(seen).toEqual(['org_1', 'org_2', 'org_3', 'org_4', 'org_5']);
    expect(api().map((r) => r.url)).toEqual([
      '/api/v1/organizations?page_size=100',
      '/api/v1/organizations?page_size=100&page_token=p2',
      '/api/v1/organizations?page_size=100&page_token=p3',
    ]);
  });

  it('stops with ResponseShapeError when the page token does not advance', async () => {
    const { client } = await setup(() => ({
      status: 200,
      json: { organizations: [], next_page_token: 'same', total_size: 0 },
    }));
    const run = async () => {
      for await (const _page of client.listOrganizations({ pageSize: 10 })) void _page;
    };
    await expect(run()).rejects.toBeInstanceOf(ResponseShapeError);
  });

  it('treats an empty environment (organizations omitted) as one empty page', async () => {
    const { client } = await setup(() => ({ status: 200, json: { next_page_token: '', total_size: 0 } }));
    const pages = [];
    for await (const page of client.listOrganizations()) pages.push(page);
    expect(pages).toEqual([{ organizations: [], nextPageToken: '', totalSize: 0 }]);
  });
});

describe('getOrganizationByExternalId', () => {
  it('percent-encodes the external ID as one path segment', async () => {
    const { client, api } = await setup(() => ({
      status: 200,
      json: { organization: org('org_1', { external_id: 'x' }) },
    }));
    await client.getOrganizationByExternalId('a/b?c#d%e f+g é');
    expect(api()[0]?.url).toBe('/api/v1/organizations:external/a%2Fb%3Fc%23d%25e%20f%2Bg%20%C3%A9');
  });

  it('returns null on 404', async () => {
    const { client } = await setup(() => notFound);
    await expect(client.getOrganizationByExternalId('us-east-CUST-1')).resolves.toBeNull();
  });

  it('refuses external IDs that cannot travel in a URL path, without a request', async () => {
    const { client, api } = await setup(() => notFound);
    for (const id of ['', '.', '..'])
      await expect(client.getOrganizationByExternalId(id)).rejects.toBeInstanceOf(ValidationError);
    expect(api()).toEqual([]);
  });
});

describe('single-organization calls', () => {
  it('getOrganization encodes the ID and keeps unknown fields', async () => {
    const { client, api } = await setup(() => ({
      status: 200,
      json: { organization: org('org_1', { settings: { features: [] }, brand_new: 1 }) },
    }));
    const found = await client.getOrganization('org_1');
    expect(found).toMatchObject({ id: 'org_1', brand_new: 1 });
    expect(api()[0]?.url).toBe('/api/v1/organizations/org_1');
  });

  it('getOrganization throws NotFoundError on 404', async () => {
    const { client } = await setup(() => notFound);
    await expect(client.getOrganization('org_404')).rejects.toMatchObject({
      code: 'ERR_SCALEKIT_NOT_FOUND',
      status: 404,
      grpcCode: 5,
    });
  });

  it('createOrganization posts JSON and accepts 201 or 200', async () => {
    for (const status of [201, 200]) {
      const { client, api } = await setup(() => ({
        status,
        json: { organization: org('org_9', { external_id: 'us-east-1' }) },
      }));
      const created = await client.createOrganization({
        display_name: 'Nine',
        external_id: 'us-east-1',
        metadata: { billing_plan: 'pro' },
      });
      expect(created.id).toBe('org_9');
      expect(api()[0]?.headers['content-type']).toBe('application/json');
      expect(JSON.parse(api()[0]?.body ?? '')).toEqual({
        display_name: 'Nine',
        external_id: 'us-east-1',
        metadata: { billing_plan: 'pro' },
      });
    }
  });

  it('createOrganization surfaces a duplicate external ID as ConflictError, without retrying', async () => {
    const { client, api } = await setup(() => ({
      status: 409,
      json: { code: 6, message: 'external id exists', details: [{ error_code: 'ALREADY_EXISTS' }] },
    }));
    await expect(client.createOrganization({ display_name: 'x', external_id: 'dup' })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(api().length).toBe(1);
  });

  it('updateOrganization sends only the keys present', async () => {
    const { client, api } = await setup(() => ({ status: 200, json: { organization: org('org_1') } }));
    await client.updateOrganization('org_1', { display_name: 'New', external_id: undefined });
    await client.updateOrganization('org_1', { metadata: {} });
    expect(api().map((r) => [r.method, r.url, JSON.parse(r.body)])).toEqual([
      ['PATCH', '/api/v1/organizations/org_1', { display_name: 'New' }],
      ['PATCH', '/api/v1/organizations/org_1', { metadata: {} }],
    ]);
  });

  it('deleteOrganization accepts {} and reports a plain 404 as NotFoundError', async () => {
    const { client } = await setup((req) => (req.url.endsWith('org_1') ? { status: 200, json: {} } : notFound));
    await expect(client.deleteOrganization('org_1')).resolves.toBeUndefined();
    await expect(client.deleteOrganization('org_2')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('listDirectories returns the directories, enabled defaulting to false', async () => {
    const { client, api } = await setup(() => ({
      status: 200,
      json: {
        directories: [
          { id: 'dir_1', directory_type: 'SCIM', enabled: true },
          { id: 'dir_2', directory_type: 'SCIM' },
        ],
      },
    }));
    const directories = await client.listDirectories('org_1');
    expect(directories.map((d) => [d.id, d.enabled])).toEqual([
      ['dir_1', true],
      ['dir_2', false],
    ]);
    expect(api()[0]?.url).toBe('/api/v1/organizations/org_1/directories');
  });
});

describe('response validation', () => {
  it('a 2xx that does not match the schema is a ResponseShapeError naming the route and the path', async () => {
    const { client } = await setup(() => ({ status: 200, json: { organization: { display_name: 'no id' } } }));
    const error = await client.getOrganization('org_1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseShapeError);
    expect(error).toMatchObject({
      code: 'ERR_SCALEKIT_RESPONSE_SHAPE',
      issuePath: 'organization.id',
      routeTemplate: '/api/v1/organizations/{id}',
    });
    expect(String(error)).toContain('GET /api/v1/organizations/{id}');
    expect(String(error)).toContain('organization.id');
  });

  it('a 2xx that is not JSON is a ResponseShapeError', async () => {
    const { client } = await setup(() => ({ status: 200, text: '<html>login</html>' }));
    await expect(client.getOrganization('org_1')).rejects.toBeInstanceOf(ResponseShapeError);
  });
});

describe('construction', () => {
  it('reports every bad option at once', () => {
    const attempt = () =>
      createScalekitClient({
        environmentUrl: 'not a url',
        clientId: '',
        clientSecret: ' ',
        rateBudget: unlimitedBudget,
        timeoutMs: 0,
        maxAttempts: 0.5,
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      expect(error instanceof ConfigError && error.problems.length).toBe(5);
    }
  });

  it('close() is idempotent', async () => {
    const client = createScalekitClient({
      environmentUrl: 'http://127.0.0.1:1',
      clientId: 'a',
      clientSecret: 'b',
      rateBudget: unlimitedBudget,
    });
    await Promise.all([client.close(), client.close()]);
    await client.close();
  });
});
