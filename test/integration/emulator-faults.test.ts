import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { useEmulatorPerTest } from '../helpers/emulator.js';

const start = useEmulatorPerTest();

type RawOutcome =
  { status: number; headers: Record<string, string | string[] | undefined>; body: string } | { error: string };

/** One request on a fresh connection (no retries, no pooling), so a dropped socket is seen as such. */
function raw(
  url: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
  timeoutMs = 5_000,
): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const req = request(`${url}${path}`, {
      method,
      agent: false,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      timeout: timeoutMs,
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', (error) => resolve({ error: error.message }));
    });
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', (error) => resolve({ error: error.message }));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

function label(outcome: RawOutcome): string {
  return 'error' in outcome ? outcome.error : String(outcome.status);
}

async function until(check: () => boolean, deadlineMs = 5_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met before the deadline');
    await new Promise((r) => setImmediate(r));
  }
}

describe('emulator: injected faults', () => {
  it('gives the same faults for the same seed and request order', async () => {
    const options = { faultRate: 0.4, faultKinds: ['http-500', 'http-503', 'http-502'] as const, randomSeed: 42 };
    const runs: string[][] = [];
    for (let run = 0; run < 2; run += 1) {
      const { emulator, token } = await start({ ...options, faultKinds: [...options.faultKinds] });
      const outcomes: string[] = [];
      for (let i = 0; i < 60; i += 1)
        outcomes.push(label(await raw(emulator.url, 'GET', '/api/v1/organizations', token)));
      runs.push(outcomes);
    }
    expect(runs[0]).toEqual(runs[1]);
    const faults = runs[0]?.filter((o) => o !== '200').length ?? 0;
    expect(faults).toBeGreaterThan(10);
    expect(faults).toBeLessThan(40);
    expect(new Set(runs[0])).toEqual(new Set(['200', '500', '502', '503']));
    const { emulator, token } = await start({ ...options, faultKinds: [...options.faultKinds], randomSeed: 7 });
    const other: string[] = [];
    for (let i = 0; i < 60; i += 1) other.push(label(await raw(emulator.url, 'GET', '/api/v1/organizations', token)));
    expect(other).not.toEqual(runs[0]);
  });

  it('answers 500/503 in the grpc-gateway shape and 502 as a proxy HTML page', async () => {
    const { emulator, token } = await start({});
    emulator.injectFault({ kind: 'http-503' });
    emulator.injectFault({ kind: 'http-502' });
    emulator.injectFault({ kind: 'http-500' });
    const unavailable = await raw(emulator.url, 'GET', '/api/v1/organizations', token);
    expect(unavailable).toMatchObject({ status: 503 });
    if ('body' in unavailable)
      expect(JSON.parse(unavailable.body)).toMatchObject({ code: 14, details: [{ error_code: 'UNAVAILABLE' }] });
    const gateway = await raw(emulator.url, 'GET', '/api/v1/organizations', token);
    expect(gateway).toMatchObject({ status: 502, headers: { 'content-type': 'text/html' } });
    const internal = await raw(emulator.url, 'GET', '/api/v1/organizations', token);
    expect(internal).toMatchObject({ status: 500 });
    expect(emulator.counters().totals.faults).toBe(3);
  });

  it('drops a create after applying it: the client sees a reset, the organization exists', async () => {
    const { emulator, token } = await start({});
    emulator.injectFault({ method: 'POST', route: '/api/v1/organizations', kind: 'drop', phase: 'after' });
    const lost = await raw(emulator.url, 'POST', '/api/v1/organizations', token, {
      display_name: 'Lost answer',
      external_id: 'lost-1',
    });
    expect('error' in lost).toBe(true);
    expect(emulator.store.getByExternalId('lost-1')).toMatchObject({ display_name: 'Lost answer' });
    const retry = await raw(emulator.url, 'POST', '/api/v1/organizations', token, {
      display_name: 'Lost answer',
      external_id: 'lost-1',
    });
    expect(retry).toMatchObject({ status: 409 });
    const counters = emulator.counters();
    expect(counters.writes.create).toBe(1);
    expect(counters.routes['POST /api/v1/organizations']).toEqual({ dropped: 1, '409': 1 });
  });

  it('fails a write before applying it when the phase is before', async () => {
    const { emulator, token } = await start({ faultRate: 1, faultKinds: ['http-503'], faultPhase: 'before' });
    const res = await raw(emulator.url, 'POST', '/api/v1/organizations', token, {
      display_name: 'Never',
      external_id: 'never',
    });
    expect(res).toMatchObject({ status: 503 });
    expect(emulator.store.size).toBe(0);
    expect(emulator.counters().writes.create).toBe(0);
  });

  it('holds a request unanswered until the client gives up', async () => {
    const { emulator, token } = await start({ faultRate: 1, faultKinds: ['timeout'] });
    const outcome = await raw(emulator.url, 'GET', '/api/v1/organizations', token, undefined, 200);
    expect(outcome).toEqual({ error: 'client timeout' });
    expect(emulator.counters().routes['GET /api/v1/organizations']).toEqual({ timeout: 1 });
  });

  it('closes promptly while a request is held and keep-alive sockets are open', async () => {
    const { emulator, token } = await start({});
    await fetch(`${emulator.url}/api/v1/organizations`, { headers: { authorization: `Bearer ${token}` } }); // leaves a keep-alive socket
    emulator.injectFault({ kind: 'timeout' });
    const held = raw(emulator.url, 'GET', '/api/v1/organizations', token, undefined, 60_000);
    await until(() => emulator.counters().totals.faults === 1);
    const startedMs = Date.now();
    await emulator.close();
    expect(Date.now() - startedMs).toBeLessThan(2_000);
    expect(await held).toHaveProperty('error');
  });

  it('changes fault settings at runtime and rejects bad ones', async () => {
    const { emulator, token } = await start({});
    expect(label(await raw(emulator.url, 'GET', '/api/v1/organizations', token))).toBe('200');
    emulator.configure({ faultRate: 1, faultKinds: { 'http-500': 1 } });
    expect(label(await raw(emulator.url, 'GET', '/api/v1/organizations', token))).toBe('500');
    expect(() => emulator.configure({ faultRate: 2 })).toThrow(/faultRate/);
    const viaAdmin = await fetch(`${emulator.url}/_emulator/config`, {
      method: 'POST',
      body: JSON.stringify({ faultRate: 0 }),
    });
    expect(await viaAdmin.json()).toMatchObject({ faultRate: 0 });
    expect(label(await raw(emulator.url, 'GET', '/api/v1/organizations', token))).toBe('200');
    const bad = await fetch(`${emulator.url}/_emulator/config`, {
      method: 'POST',
      body: JSON.stringify({ faultKinds: ['meteor'] }),
    });
    expect(bad.status).toBe(400);
  });
});
