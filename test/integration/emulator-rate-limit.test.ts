import { describe, expect, it } from 'vitest';
import { type EmulatorOptions, type RunningEmulator } from '../../src/emulator/server.js';
import { useEmulatorPerTest } from '../helpers/emulator.js';

const startEmulatorWithToken = useEmulatorPerTest();

async function start(options: EmulatorOptions): Promise<{ emulator: RunningEmulator; get: () => Promise<Response> }> {
  const { emulator, token } = await startEmulatorWithToken(options);
  return {
    emulator,
    get: () => fetch(`${emulator.url}/api/v1/organizations`, { headers: { authorization: `Bearer ${token}` } }),
  };
}

describe('emulator: rate limit', () => {
  it('answers 429 RATE_LIMITED with Retry-After above the limit, and recovers as time passes', async () => {
    let nowMs = 1_000_000;
    const { emulator, get } = await start({ rateLimit: { perSecond: 5, retryAfter: true }, now: () => nowMs });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await get()).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const limited = await get();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await limited.json()).toEqual({
      code: 8,
      message: expect.any(String),
      details: [{ '@type': 'type.googleapis.com/scalekit.v1.errdetails.ErrorInfo', error_code: 'RATE_LIMITED' }],
    });
    nowMs += 200; // one token back at 5 per second
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(429);
    expect(emulator.counters().totals.rateLimited).toBe(2);
  });

  it('sends no Retry-After when told not to, as real Scalekit may not', async () => {
    const nowMs = 5_000;
    const { get } = await start({ rateLimit: { perSecond: 1, retryAfter: false }, now: () => nowMs });
    expect((await get()).status).toBe(200);
    const limited = await get();
    expect(limited.status).toBe(429);
    expect(limited.headers.has('retry-after')).toBe(false);
  });

  it('does not limit the token endpoint or the admin routes', async () => {
    const nowMs = 5_000;
    const { emulator, get } = await start({ rateLimit: { perSecond: 1, retryAfter: true }, now: () => nowMs });
    expect((await get()).status).toBe(200);
    for (let i = 0; i < 3; i += 1) {
      const token = await fetch(`${emulator.url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'a', client_secret: 'b' }),
      });
      expect(token.status).toBe(200);
      expect((await fetch(`${emulator.url}/_emulator/counters`)).status).toBe(200);
    }
  });

  it('turns the limit on and off at runtime', async () => {
    const nowMs = 5_000;
    const { emulator, get } = await start({ now: () => nowMs });
    for (let i = 0; i < 20; i += 1) expect((await get()).status).toBe(200);
    emulator.configure({ rateLimit: { perSecond: 2, retryAfter: true } });
    expect([(await get()).status, (await get()).status, (await get()).status]).toEqual([200, 200, 429]);
    emulator.configure({ rateLimit: null });
    expect((await get()).status).toBe(200);
  });
});

describe('emulator: latency', () => {
  it('adds latencyMs to API and token responses but not to admin routes', async () => {
    const { emulator, get } = await start({ latencyMs: 60 });
    let t0 = performance.now();
    expect((await get()).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
    // With a latency far above any scheduling hiccup, an admin route still answers at once.
    emulator.configure({ latencyMs: 60_000 });
    t0 = performance.now();
    expect((await fetch(`${emulator.url}/_emulator/counters`)).status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(30_000);
  });
});
