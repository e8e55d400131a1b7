import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createScalekitClient } from '../../../src/scalekit/client.js';
import type { ScalekitClientOptions } from '../../../src/scalekit/client-options.js';
import { NetworkError, RateLimitedError, TimeoutError, UnavailableError } from '../../../src/scalekit/errors.js';
import type { RateBudget } from '../../../src/scalekit/rate-budget.js';
import type { RequestInfo } from '../../../src/scalekit/request-loop.js';
import { startScriptedServer, type Reply } from './scripted-server.js';
import { apiRequests, organizationJson as org, useScriptedClients, withTokens } from './scripted-client.js';

/** A budget that records pauses and never waits. */
function recordingBudget() {
  const pauses: number[] = [];
  const budget: RateBudget = { acquire: async () => {}, pause: (ms) => void pauses.push(ms), waitedMs: 0 };
  return { budget, pauses };
}

const clients = useScriptedClients();

async function setup(
  script: (method: string, path: string, index: number) => Reply,
  extra: Partial<ScalekitClientOptions> = {},
) {
  const { budget, pauses } = recordingBudget();
  const sleeps: number[] = [];
  const infos: RequestInfo[] = [];
  const { server, client } = await clients.start(
    withTokens((req, index) => script(req.method, req.url.split('?')[0] ?? '', index)),
    {
      clientSecret: 'secret-value',
      rateBudget: budget,
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0.5,
      onRequest: (info) => infos.push(info),
      ...extra,
    },
  );
  return { server, client, sleeps, pauses, infos };
}

describe('client retries', () => {
  it('429 -> 503 -> 200: honours Retry-After, pauses the budget on the 429, then succeeds', async () => {
    const { client, sleeps, pauses, server, infos } = await setup((_m, _p, i) => {
      if (i === 0)
        return {
          status: 429,
          headers: { 'retry-after': '2' },
          json: { code: 8, message: 'slow down', details: [{ error_code: 'RATE_LIMITED' }] },
        };
      if (i === 1) return { status: 503, headers: { 'retry-after': '1' }, json: { code: 14, message: 'unavailable' } };
      return { status: 200, json: { organization: org('org_1') } };
    });
    const found = await client.getOrganization('org_1');
    expect(found.id).toBe('org_1');
    expect(sleeps).toEqual([2_000, 1_000]);
    expect(pauses).toEqual([2_000]);
    expect(apiRequests(server).length).toBe(3);
    expect(client.stats()).toEqual({ apiCalls: 3, tokenCalls: 1, retries: 2 });
    expect(infos.map((i) => `${i.method} ${i.routeTemplate} ${i.status}`)).toEqual([
      'POST /oauth/token 200',
      'GET /api/v1/organizations/{id} 429',
      'GET /api/v1/organizations/{id} 503',
      'GET /api/v1/organizations/{id} 200',
    ]);
  });

  it('without Retry-After, backs off exponentially with jitter from baseDelayMs', async () => {
    const { client, sleeps } = await setup(
      (_m, _p, i) => (i < 3 ? { status: 503, json: {} } : { status: 200, json: { organization: org('org_1') } }),
      {
        baseDelayMs: 100,
      },
    );
    await client.getOrganization('org_1');
    expect(sleeps).toEqual([50, 100, 200]);
  });

  it('gives up on 429s after twice maxAttempts (nothing was done: they only ask to wait), with the last error', async () => {
    const { client, server, pauses } = await setup(
      () => ({ status: 429, headers: { 'retry-after': '1' }, json: { code: 8, message: 'slow down' } }),
      {
        maxAttempts: 3,
      },
    );
    const error = await client.getOrganization('org_1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 1_000 });
    expect(apiRequests(server).length).toBe(6);
    // The last 429 still slows everyone down, though this call gives up.
    expect(pauses).toEqual([1_000, 1_000, 1_000, 1_000, 1_000, 1_000]);
  });

  it('retries a 500 on a read and on an idempotent write', async () => {
    const read = await setup((_m, _p, i) =>
      i === 0 ? { status: 500, json: {} } : { status: 200, json: { organization: org('org_1') } },
    );
    await expect(read.client.getOrganization('org_1')).resolves.toMatchObject({ id: 'org_1' });
    const write = await setup((_m, _p, i) =>
      i === 0
        ? { status: 500, json: { code: 13, message: 'internal' } }
        : { status: 200, json: { organization: org('org_1') } },
    );
    await expect(write.client.updateOrganization('org_1', { display_name: 'x' })).resolves.toMatchObject({
      id: 'org_1',
    });
    expect(write.server.requests.filter((r) => r.method === 'PATCH').length).toBe(2);
  });

  it('does not retry a 501', async () => {
    const { client, server } = await setup(() => ({ status: 501, json: { code: 12, message: 'unimplemented' } }));
    await expect(client.getOrganization('org_1')).rejects.toBeInstanceOf(UnavailableError);
    expect(apiRequests(server).length).toBe(1);
  });

  it('retries a dropped connection on a read', async () => {
    const { client } = await setup((_m, _p, i) =>
      i === 0 ? 'drop' : { status: 200, json: { organization: org('org_1') } },
    );
    await expect(client.getOrganization('org_1')).resolves.toMatchObject({ id: 'org_1' });
  });

  it('times out a request that never answers, as TimeoutError, then retries it', async () => {
    const { client, infos } = await setup(
      (_m, _p, i) => (i === 0 ? 'hang' : { status: 200, json: { organization: org('org_1') } }),
      { timeoutMs: 150 },
    );
    await expect(client.getOrganization('org_1')).resolves.toMatchObject({ id: 'org_1' });
    expect(infos.some((i) => i.status === 0)).toBe(true);
    const { client: once } = await setup(() => 'hang', { timeoutMs: 100, maxAttempts: 1 });
    const error = await once.getOrganization('org_1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'ERR_SCALEKIT_TIMEOUT', timeoutMs: 100 });
  });

  it('reports a refused connection as NetworkError with its code', async () => {
    const server = await startScriptedServer(() => ({ status: 200 }));
    await server.close();
    const client = createScalekitClient({
      environmentUrl: server.url,
      clientId: 'id',
      clientSecret: 'secret-value',
      rateBudget: recordingBudget().budget,
      maxAttempts: 1,
    });
    clients.defer(() => client.close());
    const error = await client.getOrganization('org_1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({
      code: 'ERR_SCALEKIT_NETWORK',
      networkCode: 'ECONNREFUSED',
      routeTemplate: '/oauth/token',
    });
  });

  it('releases its listener on a long-lived caller signal after every attempt', async () => {
    const { client } = await setup((_m, _p, i) =>
      i % 2 === 0 ? { status: 503, json: {} } : { status: 200, json: { organization: org('org_1') } },
    );
    const run = new AbortController();
    for (let i = 0; i < 10; i += 1) await client.getOrganization('org_1', { signal: run.signal });
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('stops at once when the caller aborts, with the caller’s reason, and does not retry', async () => {
    const controller = new AbortController();
    const { client, server } = await setup(() => {
      controller.abort(new Error('shutting down'));
      return 'hang';
    });
    await expect(client.getOrganization('org_1', { signal: controller.signal })).rejects.toThrow('shutting down');
    expect(apiRequests(server).length).toBe(1);
  });
});
