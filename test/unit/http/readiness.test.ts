import { describe, expect, it } from 'vitest';
import { createReadiness } from '../../../src/http/readiness.js';
import { buildTestServer } from './server-fixture.js';

describe('createReadiness', () => {
  it('is ready when every check passes', async () => {
    const readiness = createReadiness([{ name: 'redis', check: async () => undefined }]);
    expect(await readiness()).toEqual({ ready: true, checks: { redis: 'ok' } });
  });

  it('names a failing check and one that does not answer in time', async () => {
    const readiness = createReadiness(
      [
        { name: 'redis', check: async () => undefined },
        { name: 'scalekit', check: () => Promise.reject(new Error('401 unauthorized')) },
        { name: 'slow', check: () => new Promise<void>(() => undefined) },
      ],
      { timeoutMs: 50, cacheMs: 0 },
    );
    expect(await readiness()).toEqual({
      ready: false,
      checks: { redis: 'ok', scalekit: 'failed: 401 unauthorized', slow: 'timed out after 50 ms' },
    });
  });

  it('aborts the signal of a check that times out', async () => {
    let aborted = false;
    const readiness = createReadiness(
      [
        {
          name: 'slow',
          check: (signal) =>
            new Promise<void>((resolve) => signal.addEventListener('abort', () => ((aborted = true), resolve()))),
        },
      ],
      { timeoutMs: 20, cacheMs: 0 },
    );
    await readiness();
    expect(aborted).toBe(true);
  });

  it('reuses a result within cacheMs, so a burst of probes costs one call', async () => {
    let calls = 0;
    const readiness = createReadiness([{ name: 'scalekit', check: async () => void (calls += 1) }], {
      cacheMs: 60_000,
    });
    await Promise.all([readiness(), readiness(), readiness()]);
    await readiness();
    expect(calls).toBe(1);
  });

  it('makes GET /readyz answer 503 in the error shape, naming the failing part', async () => {
    const readiness = createReadiness([
      { name: 'redis', check: async () => undefined },
      { name: 'scalekit', check: () => Promise.reject(new Error('connect ECONNREFUSED')) },
    ]);
    const { app } = await buildTestServer({ readiness });
    try {
      const response = await app.inject({ url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({
        error: { code: 'not_ready', message: 'not ready: scalekit (failed: connect ECONNREFUSED)' },
        checks: { redis: 'ok', scalekit: 'failed: connect ECONNREFUSED' },
      });
      expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    } finally {
      await app.close();
    }
  });
});
