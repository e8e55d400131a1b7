import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { runWorkerCommand } from '../../src/commands/worker.js';
import { loadConfig, SCALEKIT_SETTINGS } from '../../src/config.js';
import { startWorkerHealthServer, type WorkerHealthServer } from '../../src/queue/worker-health.js';
import type { QueueWorker } from '../../src/queue/worker.js';
import { startWorker } from '../../src/app/worker.js';
import { freePort } from '../helpers/free-port.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/redis-server.js';
import { captureIo, deleteKeys, pollUntil, REDIS_URL, testName, testRedis } from './queue-helpers.js';

/** No job runs in these tests: the Scalekit URL is never called. */
const SCALEKIT_ENV = {
  SCALEKIT_ENVIRONMENT_URL: 'http://127.0.0.1:9',
  SCALEKIT_CLIENT_ID: 'id',
  SCALEKIT_CLIENT_SECRET: 'secret',
  ORGSYNC_LOG_LEVEL: 'silent',
};

let closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

async function status(url: string): Promise<{ code: number; body: unknown }> {
  const res = await fetch(url);
  return { code: res.status, body: await res.json() };
}

describe('the worker health endpoint (--health-port)', () => {
  it('answers 200 while Redis and the worker run, 503 while Redis is down, 200 again once it is back', async () => {
    // A Redis of this test's own, so that it can be stopped and started again on the same port.
    let redis: PrivateRedis = await startPrivateRedis();
    closers.push(() => redis.stop());
    const queueName = testName();
    const worker: QueueWorker = await startWorker({
      config: loadConfig({ env: { ...SCALEKIT_ENV, REDIS_URL: redis.url }, require: SCALEKIT_SETTINGS }),
      logger: pino({ level: 'silent' }),
      queueName,
      schedule: false,
    });
    closers.push(() => worker.close({ deadlineMs: 1_000 }));
    const health: WorkerHealthServer = await startWorkerHealthServer({
      port: 0,
      host: '127.0.0.1',
      check: () => worker.health(),
    });
    closers.push(() => health.close());
    const url = `${health.url}/healthz`;

    expect(await status(url)).toEqual({ code: 200, body: { status: 'ok' } });
    expect((await fetch(`${health.url}/other`)).status).toBe(404);

    await redis.stop();
    const down = await pollUntil('a 503 while Redis is down', async () => {
      const answer = await status(url);
      return answer.code === 503 ? answer : undefined;
    });
    expect(down.body).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/^Redis connection /) });

    redis = await startPrivateRedis({ port: redis.port });
    await pollUntil('a 200 once Redis is back', async () => (await status(url)).code === 200);

    await worker.close({ deadlineMs: 1_000 });
    expect(await status(url)).toEqual({ code: 503, body: { status: 'unavailable', reason: 'shutting down' } });
  });

  it('orgsync worker --health-port N serves it until SIGTERM, then closes the port', async () => {
    const queueName = testName();
    closers.push(async () => {
      const redis = testRedis();
      await deleteKeys(redis, `bull:${queueName}:`);
      await deleteKeys(redis, `orgsync:${queueName}:`);
      await redis.quit();
    });
    const port = await freePort();
    const signals = new EventEmitter();
    const { io } = captureIo({ ...SCALEKIT_ENV, REDIS_URL, ORGSYNC_HTTP_HOST: '127.0.0.1' });
    const running = runWorkerCommand({ queue: queueName, healthPort: String(port), schedule: false }, io, signals);
    const url = `http://127.0.0.1:${port}/healthz`;
    await pollUntil('the health endpoint', async () => {
      try {
        return (await fetch(url)).status === 200;
      } catch {
        return false; // not listening yet
      }
    });
    signals.emit('SIGTERM', 'SIGTERM');
    expect(await running).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  });

  it('refuses a --health-port that is not a port', async () => {
    const { io } = captureIo({ ...SCALEKIT_ENV, REDIS_URL });
    await expect(runWorkerCommand({ healthPort: '80a' }, io, new EventEmitter())).rejects.toThrow(
      '--health-port: expected a port 0-65535 (got "80a")',
    );
  });
});
