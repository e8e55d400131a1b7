import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emulatorToken } from '../helpers/emulator.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';

let emulator: RunningEmulator;
let token: string;

async function api(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${emulator.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function admin(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${emulator.url}/_emulator/${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  emulator = await startEmulator({});
  token = await emulatorToken(emulator.url);
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  await admin('POST', 'reset');
});

describe('emulator: admin routes', () => {
  it('counts requests by method, route template and status, and not the admin routes', async () => {
    const created = (await (
      await api('POST', '/api/v1/organizations', { display_name: 'A', external_id: 'a' })
    ).json()) as { organization: { id: string } };
    await api('POST', '/api/v1/organizations', { display_name: 'A', external_id: 'a' });
    await api('GET', `/api/v1/organizations/${created.organization.id}`);
    await api('GET', '/api/v1/organizations/org_00000000000000000');
    await api('GET', '/api/v1/nothing-here');
    await admin('GET', 'state');
    const counters = await admin('GET', 'counters');
    expect(counters.body).toEqual({
      totals: { requests: 5, apiCalls: 5, tokenCalls: 0, faults: 0, rateLimited: 0 },
      writes: { create: 1, update: 0, delete: 0 },
      routes: {
        'POST /api/v1/organizations': { '201': 1, '409': 1 },
        'GET /api/v1/organizations/{id}': { '200': 1, '404': 1 },
        'GET (unmatched)': { '404': 1 },
      },
      // The five may straddle a second boundary.
      busiestSecond: { apiCalls: expect.any(Number), at: expect.any(String) },
    });
  });

  it('reports the busiest second of /api/v1 requests, by arrival, and not token requests', async () => {
    let nowMs = Date.parse('2026-11-29T10:00:00.000Z');
    const clocked = await startEmulator({ now: () => nowMs });
    try {
      const tokenRes = await fetch(`${clocked.url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'a', client_secret: 'b' }),
      });
      const bearer = ((await tokenRes.json()) as { access_token: string }).access_token;
      const list = () =>
        fetch(`${clocked.url}/api/v1/organizations`, { headers: { authorization: `Bearer ${bearer}` } });
      for (let i = 0; i < 3; i += 1) await list(); // 10:00:00: 3
      nowMs += 1_500;
      for (let i = 0; i < 5; i += 1) await list(); // 10:00:01: 5
      nowMs += 1_000;
      for (let i = 0; i < 4; i += 1) await list(); // 10:00:02: 4
      const res = await fetch(`${clocked.url}/_emulator/counters`);
      const counters = (await res.json()) as { busiestSecond: unknown; totals: { apiCalls: number } };
      expect(counters.totals.apiCalls).toBe(12);
      expect(counters.busiestSecond).toEqual({ apiCalls: 5, at: '2026-11-29T10:00:01.000Z' });
      clocked.resetCounters();
      expect(clocked.counters().busiestSecond).toEqual({ apiCalls: 0, at: null });
    } finally {
      await clocked.close();
    }
  });

  it('resets counters only, when asked for counters only', async () => {
    await api('POST', '/api/v1/organizations', { display_name: 'Kept' });
    expect((await admin('POST', 'reset', { counters: true })).body).toEqual({
      reset: { counters: true, state: false, faults: false },
    });
    expect(emulator.counters().totals.requests).toBe(0);
    expect(emulator.store.size).toBe(1);
  });

  it('dumps the whole state', async () => {
    await api('POST', '/api/v1/organizations', { display_name: 'A', external_id: 'a' });
    const state = await admin('GET', 'state');
    expect(state.body).toEqual({
      organizations: [expect.objectContaining({ display_name: 'A', external_id: 'a' })],
      directories: [],
    });
  });

  it('attaches a directory (default: an enabled SCIM one) and refuses an unknown organization', async () => {
    const { organization } = (await (await api('POST', '/api/v1/organizations', { display_name: 'A' })).json()) as {
      organization: { id: string };
    };
    const attached = await admin('POST', `organizations/${organization.id}/directories`, {});
    expect(attached.status).toBe(201);
    expect(attached.body['directory']).toMatchObject({
      organization_id: organization.id,
      directory_type: 'SCIM',
      enabled: true,
      directory_provider: 'OKTA',
    });
    expect((await admin('POST', 'organizations/org_404/directories', {})).status).toBe(404);
    expect(
      (await admin('POST', `organizations/${organization.id}/directories`, { directory_type: 'FLOPPY' })).status,
    ).toBe(400);
  });

  it('queues scripted faults for matching requests only', async () => {
    const queued = await admin('POST', 'faults', {
      method: 'post',
      route: '/api/v1/organizations',
      kind: 'http-503',
      count: 2,
    });
    expect(queued.status).toBe(201);
    expect((await api('GET', '/api/v1/organizations')).status).toBe(200);
    expect((await api('POST', '/api/v1/organizations', { display_name: 'A' })).status).toBe(503);
    expect((await api('POST', '/api/v1/organizations', { display_name: 'A' })).status).toBe(503);
    expect((await api('POST', '/api/v1/organizations', { display_name: 'A' })).status).toBe(201);
  });

  it('shows and changes the knobs', async () => {
    expect((await admin('GET', 'config')).body).toMatchObject({
      latencyMs: 0,
      rateLimit: null,
      faultRate: 0,
      faultPhase: 'either',
      randomSeed: 1,
    });
    const changed = await admin('POST', 'config', { latencyMs: 5, faultPhase: 'after' });
    expect(changed.body).toMatchObject({ latencyMs: 5, faultPhase: 'after' });
    expect((await admin('POST', 'config', { latency: 5 })).status).toBe(400);
    await admin('POST', 'config', { latencyMs: 0, faultPhase: 'either' });
  });

  it('answers 404 to an unknown admin route and 400 to a body that is not JSON', async () => {
    expect((await admin('GET', 'nope')).status).toBe(404);
    const res = await fetch(`${emulator.url}/_emulator/config`, { method: 'POST', body: '{' });
    expect(res.status).toBe(400);
  });
});
