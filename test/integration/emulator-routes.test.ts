import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';

let emulator: RunningEmulator;
let token: string;

type Json = Record<string, unknown>;

async function api(
  method: string,
  path: string,
  body?: unknown,
  bearer: string | null = token,
): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = {};
  if (bearer !== null) headers['authorization'] = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${emulator.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

async function getToken(form: Record<string, string>): Promise<Response> {
  return fetch(`${emulator.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
}

async function create(display_name: string, external_id?: string, metadata?: Record<string, string>): Promise<Json> {
  const res = await api('POST', '/api/v1/organizations', { display_name, external_id, metadata });
  expect(res.status).toBe(201);
  return res.body['organization'] as Json;
}

beforeAll(async () => {
  emulator = await startEmulator({ clientId: 'cid', clientSecret: 'secret', tokenTtlSeconds: 3600 });
  const res = await getToken({ grant_type: 'client_credentials', client_id: 'cid', client_secret: 'secret' });
  token = ((await res.json()) as { access_token: string }).access_token;
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.store.reset();
  emulator.resetCounters();
});

describe('emulator: /oauth/token', () => {
  it('issues a bearer token for the configured client', async () => {
    const res = await getToken({ grant_type: 'client_credentials', client_id: 'cid', client_secret: 'secret' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'openid',
    });
  });

  it('refuses a wrong secret (401 invalid_client) and another grant type (400)', async () => {
    const wrong = await getToken({ grant_type: 'client_credentials', client_id: 'cid', client_secret: 'nope' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    const grant = await getToken({ grant_type: 'password', client_id: 'cid', client_secret: 'secret' });
    expect(grant.status).toBe(400);
  });

  it('accepts any non-empty pair when no credentials are configured', async () => {
    const open = await startEmulator({});
    try {
      const ok = await fetch(`${open.url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'a', client_secret: 'b' }),
      });
      expect(ok.status).toBe(200);
      const empty = await fetch(`${open.url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'a', client_secret: '' }),
      });
      expect(empty.status).toBe(401);
    } finally {
      await open.close();
    }
  });
});

describe('emulator: bearer auth on /api/v1', () => {
  it('answers 401 code 16 "Token empty" without a token', async () => {
    const res = await api('GET', '/api/v1/organizations', undefined, null);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      code: 16,
      message: 'Token empty',
      details: [{ '@type': 'type.googleapis.com/scalekit.v1.errdetails.ErrorInfo', error_code: 'UNAUTHENTICATED' }],
    });
  });

  it('answers 401 to an unknown token and to an expired one', async () => {
    expect((await api('GET', '/api/v1/organizations', undefined, 'made-up')).status).toBe(401);
    const fresh = await getToken({ grant_type: 'client_credentials', client_id: 'cid', client_secret: 'secret' });
    const freshToken = ((await fresh.json()) as { access_token: string }).access_token;
    expect((await api('GET', '/api/v1/organizations', undefined, freshToken)).status).toBe(200);
    const expire = await fetch(`${emulator.url}/_emulator/expire-tokens`, { method: 'POST' });
    expect(await expire.json()).toMatchObject({ expired: expect.any(Number) });
    const after = await api('GET', '/api/v1/organizations', undefined, freshToken);
    expect(after.status).toBe(401);
    expect(after.body['message']).toBe('token expired');
    const renewed = await getToken({ grant_type: 'client_credentials', client_id: 'cid', client_secret: 'secret' });
    token = ((await renewed.json()) as { access_token: string }).access_token;
  });
});

describe('emulator: reads and 404s', () => {
  it('gets an organization by id and by percent-encoded external ID', async () => {
    const org = await create('Slashy', 'eu-west/A B');
    expect((await api('GET', `/api/v1/organizations/${String(org['id'])}`)).body).toEqual({ organization: org });
    const byExternal = await api('GET', `/api/v1/organizations:external/${encodeURIComponent('eu-west/A B')}`);
    expect(byExternal).toEqual({ status: 200, body: { organization: org } });
  });

  it('answers 404 code 5 for unknown ids, external IDs, directories and paths', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/organizations/org_00000000000000000'],
      ['PATCH', '/api/v1/organizations/org_00000000000000000'],
      ['DELETE', '/api/v1/organizations/org_00000000000000000'],
      ['GET', '/api/v1/organizations:external/nobody'],
      ['GET', '/api/v1/organizations/org_00000000000000000/directories'],
      ['GET', '/api/v1/users'],
    ] as const) {
      const res = await api(method, path, method === 'PATCH' ? { display_name: 'x' } : undefined);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body['code']).toBe(5);
    }
  });

  it('answers 400 "ExternalId is required" to an empty external ID or an extra ?id=', async () => {
    await create('A', 'a');
    expect((await api('GET', '/api/v1/organizations:external/')).status).toBe(400);
    const withId = await api('GET', '/api/v1/organizations:external/a?id=org_1');
    expect(withId).toMatchObject({ status: 400, body: { code: 3, message: 'ExternalId is required' } });
  });

  it('answers 501 to a known path with another method, as grpc-gateway does', async () => {
    const res = await api('PUT', '/api/v1/organizations');
    expect(res).toMatchObject({ status: 501, body: { code: 12 } });
  });

  it('lists directories with enabled and directory_type', async () => {
    const org = await create('With SCIM', 'scim');
    const id = String(org['id']);
    expect((await api('GET', `/api/v1/organizations/${id}/directories`)).body).toEqual({ directories: [] });
    const attach = await fetch(`${emulator.url}/_emulator/organizations/${id}/directories`, {
      method: 'POST',
      body: JSON.stringify({ directory_type: 'SCIM', enabled: true }),
    });
    expect(attach.status).toBe(201);
    const list = await api('GET', `/api/v1/organizations/${id}/directories`);
    expect(list.body['directories']).toEqual([
      expect.objectContaining({
        id: expect.stringMatching(/^dir_\d+$/),
        organization_id: id,
        directory_type: 'SCIM',
        enabled: true,
      }),
    ]);
  });
});

describe('emulator: PATCH semantics', () => {
  it('changes only the keys present and replaces metadata as a whole', async () => {
    const org = await create('Old name', 'p1', { keep: 'me', plan: 'gold' });
    const id = String(org['id']);
    const renamed = await api('PATCH', `/api/v1/organizations/${id}`, { display_name: 'New name' });
    expect(renamed.body['organization']).toMatchObject({
      display_name: 'New name',
      external_id: 'p1',
      metadata: { keep: 'me', plan: 'gold' },
    });
    const replaced = await api('PATCH', `/api/v1/organizations/${id}`, { metadata: { plan: 'silver' } });
    expect(replaced.body['organization']).toMatchObject({ display_name: 'New name', metadata: { plan: 'silver' } });
    const cleared = await api('PATCH', `/api/v1/organizations/${id}`, { metadata: {} });
    expect((cleared.body['organization'] as Json)['metadata']).toEqual({});
  });

  it('accepts camelCase keys and rejects an unknown key with 400', async () => {
    const id = String((await create('A', 'p2'))['id']);
    const camel = await api('PATCH', `/api/v1/organizations/${id}`, { displayName: 'Camel', externalId: 'p2-new' });
    expect(camel.body['organization']).toMatchObject({ display_name: 'Camel', external_id: 'p2-new' });
    const unknown = await api('PATCH', `/api/v1/organizations/${id}`, { colour: 'blue' });
    expect(unknown).toMatchObject({ status: 400, body: { code: 3 } });
    expect((await api('PATCH', `/api/v1/organizations/${id}`, { region_code: 'EU' })).status).toBe(400);
  });

  it('moves the external ID index on update, and "" clears the external ID', async () => {
    const id = String((await create('A', 'before'))['id']);
    await api('PATCH', `/api/v1/organizations/${id}`, { external_id: 'after' });
    expect((await api('GET', '/api/v1/organizations:external/before')).status).toBe(404);
    expect((await api('GET', '/api/v1/organizations:external/after')).status).toBe(200);
    const cleared = await api('PATCH', `/api/v1/organizations/${id}`, { external_id: '' });
    expect('external_id' in (cleared.body['organization'] as Json)).toBe(false);
    expect((await create('B', 'before'))['external_id']).toBe('before');
  });

  it('bumps update_time and keeps create_time', async () => {
    let nowMs = Date.parse('2026-01-01T00:00:00Z');
    const clocked = await startEmulator({ now: () => nowMs });
    try {
      const created = clocked.store.create({ display_name: 'A' });
      if (!('id' in created)) throw new Error(created.message);
      const id = created.id;
      nowMs += 1500;
      const updated = clocked.store.update(id, { display_name: 'B' });
      expect(updated).toMatchObject({ create_time: '2026-01-01T00:00:00Z', update_time: '2026-01-01T00:00:01.500Z' });
    } finally {
      await clocked.close();
    }
  });
});

describe('emulator: delete', () => {
  it('deletes with 200 {} and frees the external ID at once', async () => {
    const id = String((await create('Gone', 'reuse-me'))['id']);
    expect(await api('DELETE', `/api/v1/organizations/${id}`)).toEqual({ status: 200, body: {} });
    expect((await api('GET', `/api/v1/organizations/${id}`)).status).toBe(404);
    expect((await api('DELETE', `/api/v1/organizations/${id}`)).status).toBe(404);
    const again = await create('Back', 'reuse-me');
    expect(again['id']).not.toBe(id);
  });
});
