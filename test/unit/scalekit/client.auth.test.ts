import { describe, expect, it } from 'vitest';
import type { ScalekitClientOptions } from '../../../src/scalekit/client-options.js';
import { UnauthenticatedError } from '../../../src/scalekit/errors.js';
import { startScriptedServer, tokenReply, type Script } from './scripted-server.js';
import { apiRequests, useScriptedClients } from './scripted-client.js';

const org = { organization: { id: 'org_1', display_name: 'One', metadata: {}, create_time: '2026-01-01T00:00:00Z' } };
const unauthenticated = {
  status: 401,
  json: { code: 16, message: 'Token empty', details: [{ error_code: 'UNAUTHENTICATED' }] },
};

const clients = useScriptedClients();

/** No `withTokens` here: each test scripts the token endpoint itself. */
async function setup(script: Script, extra: Partial<ScalekitClientOptions> = {}) {
  const { server, client } = await clients.start(script, (server) => ({
    environmentUrl: `${server.url}/`,
    clientId: 'my-client',
    clientSecret: 'top-secret',
    ...extra,
  }));
  const tokenRequests = () => server.requests.filter((r) => r.url === '/oauth/token');
  return { server, client, tokenRequests };
}

describe('client auth', () => {
  it('gets a token with client credentials, form-encoded, and sends it as a bearer token', async () => {
    const { client, server, tokenRequests } = await setup((req, i) =>
      req.url === '/oauth/token' ? tokenReply(i + 1) : { status: 200, json: org },
    );
    await client.getOrganization('org_1');
    const [tokenRequest] = tokenRequests();
    expect(tokenRequest?.method).toBe('POST');
    expect(tokenRequest?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(tokenRequest?.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'my-client',
      client_secret: 'top-secret',
    });
    expect(tokenRequest?.headers.authorization).toBeUndefined();
    const apiRequest = server.requests.find((r) => r.url.startsWith('/api/'));
    expect(apiRequest?.headers.authorization).toBe('Bearer tok-1');
  });

  it('caches the token across calls and shares one token request among concurrent callers', async () => {
    const { client, tokenRequests } = await setup((req, i) =>
      req.url === '/oauth/token' ? tokenReply(i + 1) : { status: 200, json: org },
    );
    await Promise.all(Array.from({ length: 10 }, () => client.getOrganization('org_1')));
    await client.getOrganization('org_1');
    expect(tokenRequests().length).toBe(1);
    expect(client.stats()).toMatchObject({ apiCalls: 11, tokenCalls: 1 });
  });

  it('renews the token shortly before expires_in runs out (min(60 s, 10%) early)', async () => {
    let nowMs = 0;
    const { client, server } = await setup(
      (req, i) => (req.url === '/oauth/token' ? tokenReply(i + 1, 1_000) : { status: 200, json: org }),
      { now: () => nowMs },
    );
    await client.getOrganization('org_1');
    nowMs = 939_000; // 1000 s token, renewed 60 s early: still good at 939 s
    await client.getOrganization('org_1');
    nowMs = 940_000;
    await client.getOrganization('org_1');
    const auths = apiRequests(server).map((r) => r.headers.authorization);
    expect(auths).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2']);
  });

  it('refreshes the token once on a 401 and repeats the call', async () => {
    const { client, server, tokenRequests } = await setup((req, i) => {
      if (req.url === '/oauth/token') return tokenReply(i + 1);
      return req.headers.authorization === 'Bearer tok-1' ? unauthenticated : { status: 200, json: org };
    });
    await expect(client.getOrganization('org_1')).resolves.toMatchObject({ id: 'org_1' });
    expect(tokenRequests().length).toBe(2);
    expect(apiRequests(server).map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
  });

  it('concurrent 401s with the same stale token trigger a single refresh', async () => {
    const revoked = new Set<string>();
    const { client, tokenRequests } = await setup((req, i) => {
      if (req.url === '/oauth/token') return tokenReply(i + 1);
      return revoked.has(req.headers.authorization ?? '') ? unauthenticated : { status: 200, json: org };
    });
    await client.getOrganization('org_1');
    revoked.add('Bearer tok-1');
    await Promise.all(Array.from({ length: 10 }, () => client.getOrganization('org_1')));
    expect(tokenRequests().length).toBe(2);
  });

  it('a second 401 is final: UnauthenticatedError, no third token request, no secret in the message', async () => {
    const { client, tokenRequests } = await setup((req, i) =>
      req.url === '/oauth/token' ? tokenReply(i + 1) : unauthenticated,
    );
    const error = await client.getOrganization('org_1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect(error).toMatchObject({
      code: 'ERR_SCALEKIT_UNAUTHENTICATED',
      status: 401,
      routeTemplate: '/api/v1/organizations/{id}',
    });
    expect(tokenRequests().length).toBe(2);
    expect(String(error)).not.toMatch(/top-secret|tok-\d/);
  });

  it('refused credentials at the token endpoint become UnauthenticatedError naming the settings', async () => {
    const { client, server } = await setup((req) =>
      req.url === '/oauth/token'
        ? { status: 401, json: { error: 'invalid_client', error_description: 'bad secret top-secret' } }
        : { status: 200, json: org },
    );
    const error = await client.getOrganization('org_1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect(String(error)).toMatch(/SCALEKIT_CLIENT_SECRET/);
    expect(String(error)).not.toContain('top-secret');
    expect(server.requests.some((r) => r.url.startsWith('/api/'))).toBe(false);
  });

  it('retries a token request that hits a 503', async () => {
    const { client, tokenRequests } = await setup((req, i) => {
      if (req.url === '/oauth/token') return i === 0 ? { status: 503, json: {} } : tokenReply(i + 1);
      return { status: 200, json: org };
    });
    await expect(client.getOrganization('org_1')).resolves.toMatchObject({ id: 'org_1' });
    expect(tokenRequests().length).toBe(2);
  });

  it('uses tokenUrl when given', async () => {
    const tokenServer = await startScriptedServer((_req, i) => tokenReply(i + 10));
    clients.defer(() => tokenServer.close());
    const { client, server } = await setup(() => ({ status: 200, json: org }), {
      tokenUrl: `${tokenServer.url}/oauth/token`,
    });
    await client.getOrganization('org_1');
    expect(server.requests.find((r) => r.url.startsWith('/api/'))?.headers.authorization).toBe('Bearer tok-10');
    expect(server.requests.some((r) => r.url === '/oauth/token')).toBe(false);
  });
});
