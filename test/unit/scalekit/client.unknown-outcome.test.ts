import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ScalekitClientOptions } from '../../../src/scalekit/client-options.js';
import { NetworkError, TimeoutError } from '../../../src/scalekit/errors.js';
import { type Reply, type SeenRequest } from './scripted-server.js';
import { useScriptedClients, withTokens } from './scripted-client.js';

const org = (id: string, externalId?: string) => ({
  id,
  display_name: 'Acme',
  metadata: {},
  create_time: '2026-01-01T00:00:00Z',
  ...(externalId === undefined ? {} : { external_id: externalId }),
});
const notFound: Reply = { status: 404, json: { code: 5, message: 'not found' } };

const clients = useScriptedClients();

/**
 * A tiny stateful fake: POST creates (unless `failCreate` says the attempt fails before or after
 * creating), GET by external ID finds, DELETE deletes. Counts every request.
 */
async function setup(
  failCreate: (index: number) => { reply: Reply; created: boolean } | undefined,
  extra: Partial<ScalekitClientOptions> = {},
) {
  const orgs = new Map<string, ReturnType<typeof org>>();
  let nextId = 1;
  const { server, client } = await clients.start(
    withTokens((req: SeenRequest, index) => {
      if (req.method === 'POST') {
        const body: { external_id?: string } = JSON.parse(req.body);
        const failure = failCreate(index);
        const created = org(`org_${nextId++}`, body.external_id);
        if (failure === undefined || failure.created) orgs.set(created.id, created);
        return failure?.reply ?? { status: 201, json: { organization: created } };
      }
      if (req.method === 'GET') {
        const externalId = decodeURIComponent(req.url.replace('/api/v1/organizations:external/', ''));
        const found = [...orgs.values()].find((o) => o.external_id === externalId);
        return found === undefined ? notFound : { status: 200, json: { organization: found } };
      }
      return notFound;
    }),
    extra,
  );
  const count = (method: string) =>
    server.requests.filter((r) => r.method === method && r.url.startsWith('/api/')).length;
  return { client, orgs, count };
}

describe('create with an unknown outcome', () => {
  it('connection dropped after the create happened: looks the external ID up and returns it, no second POST', async () => {
    const { client, orgs, count } = await setup((i) => (i === 0 ? { reply: 'drop', created: true } : undefined));
    const created = await client.createOrganization({ display_name: 'Acme', external_id: 'us-east-1' });
    expect(created).toMatchObject({ id: 'org_1', external_id: 'us-east-1' });
    expect(count('POST')).toBe(1);
    expect(count('GET')).toBe(1);
    expect(orgs.size).toBe(1);
  });

  it('connection dropped before the create happened: looks up, finds nothing, creates once more', async () => {
    const { client, orgs, count } = await setup((i) => (i === 0 ? { reply: 'drop', created: false } : undefined));
    const created = await client.createOrganization({ display_name: 'Acme', external_id: 'us-east-1' });
    expect(created.external_id).toBe('us-east-1');
    expect(count('POST')).toBe(2);
    expect(count('GET')).toBe(1);
    expect(orgs.size).toBe(1);
  });

  it('timeout after the create happened: the lookup finds it', async () => {
    const { client, orgs, count } = await setup((i) => (i === 0 ? { reply: 'hang', created: true } : undefined), {
      timeoutMs: 150,
    });
    await expect(client.createOrganization({ display_name: 'Acme', external_id: 'us-east-1' })).resolves.toMatchObject({
      id: 'org_1',
    });
    expect(count('POST')).toBe(1);
    expect(orgs.size).toBe(1);
  });

  it.each([
    ['503 then success: looked up (not found) before the second POST', 503, 1],
    ['429 means nothing happened: POSTs again without a lookup', 429, 0],
  ])('%s', async (_name, status, lookups) => {
    const { client, count } = await setup((i) =>
      i === 0 ? { reply: { status, json: {} }, created: false } : undefined,
    );
    await client.createOrganization({ display_name: 'Acme', external_id: 'us-east-1' });
    expect(count('POST')).toBe(2);
    expect(count('GET')).toBe(lookups);
  });

  it('without an external ID an unknown outcome is final: one POST, the error thrown', async () => {
    const { client, count } = await setup((i) => (i === 0 ? { reply: 'drop', created: true } : undefined));
    await expect(client.createOrganization({ display_name: 'Acme' })).rejects.toBeInstanceOf(NetworkError);
    expect(count('POST')).toBe(1);
    const hung = await setup(() => ({ reply: 'hang', created: true }), { timeoutMs: 100 });
    await expect(hung.client.createOrganization({ display_name: 'Acme' })).rejects.toBeInstanceOf(TimeoutError);
    expect(hung.count('POST')).toBe(1);
  });
});

describe('idempotent writes with an unknown outcome', () => {
  it('a delete whose first attempt went through but was dropped succeeds on the 404 of the retry', async () => {
    let deleted = false;
    const { server, client } = await clients.start(
      withTokens(() => {
        if (deleted) return notFound;
        deleted = true;
        return 'drop';
      }),
    );
    await expect(client.deleteOrganization('org_1')).resolves.toBeUndefined();
    expect(server.requests.filter((r) => r.method === 'DELETE').length).toBe(2);
  });

  it('an update dropped once is re-sent with the same body, and retries are logged without secrets', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'debug' },
      new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }),
    );
    const { server, client } = await clients.start(
      withTokens((_req, i) => (i === 0 ? 'drop' : { status: 200, json: { organization: org('org_1') } })),
      { clientSecret: 'secret-xyz', logger },
    );
    await client.updateOrganization('org_1', { display_name: 'Acme' });
    const patches = server.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => r.body)).toEqual(['{"display_name":"Acme"}', '{"display_name":"Acme"}']);
    const retryLine = lines.find((l) => l.includes('retrying Scalekit call'));
    expect(retryLine).toMatch(/"reason":"network error/);
    expect(retryLine).toContain('/api/v1/organizations/{id}');
    expect(lines.join('\n')).not.toMatch(/secret-xyz|tok-1/);
  });
});
