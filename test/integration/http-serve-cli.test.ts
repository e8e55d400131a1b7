import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { pollUntil, REDIS_URL, testName, testRedis, deleteKeys } from './queue-helpers.js';

/** The built CLI (`npm test` builds before running the tests). */
const CLI = 'dist/src/cli.js';

let emulator: RunningEmulator;
let child: ChildProcessByStdio<null, Readable, Readable> | undefined;
let queueName: string;

beforeEach(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  emulator = await startEmulator({ clientId: 'cli-id', clientSecret: 'cli-secret' });
  queueName = testName();
});

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await new Promise((resolve) => child?.once('exit', resolve));
  }
  child = undefined;
  await emulator.close();
  const redis = testRedis();
  await deleteKeys(redis, `bull:${queueName}:`);
  await deleteKeys(redis, `orgsync:${queueName}:`);
  await redis.quit();
});

function serve(args: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  child = spawn(process.execPath, [CLI, 'serve', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
  return { out, err, exited, process: child };
}

const baseEnv = () => ({
  SCALEKIT_ENVIRONMENT_URL: emulator.url,
  SCALEKIT_CLIENT_ID: 'cli-id',
  SCALEKIT_CLIENT_SECRET: 'cli-secret',
  REDIS_URL,
  ORGSYNC_WEBHOOK_SECRET: `whsec_${Buffer.from('cli-test-secret-0123456789').toString('base64')}`,
});

describe('orgsync serve (the built CLI)', () => {
  it('prints its URL, serves until SIGTERM, then drains and exits 0 without logging secrets', async () => {
    const run = serve(['--port', '0', '--queue', queueName], baseEnv());
    const url = (
      await pollUntil('the URL on stdout', () => run.out.join('').split('\n')[0] || undefined, 20_000)
    ).trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const webhook = await fetch(`${url}/webhooks/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"account":{"invoice_email":"a@b.example"}}',
    });
    expect(webhook.status).toBe(401);
    run.process.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const logs = run.err.join('');
    expect(logs).toContain('"msg":"orgsync serve stopped"');
    expect(logs).toContain('"route":"/webhooks/accounts","status":401');
    for (const secret of ['cli-secret', 'cli-test-secret', 'whsec_', 'a@b.example']) expect(logs).not.toContain(secret);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('answers a request still in flight when SIGTERM arrives, then exits 0', async () => {
    const run = serve(['--port', '0', '--queue', queueName], baseEnv());
    const url = (
      await pollUntil('the URL on stdout', () => run.out.join('').split('\n')[0] || undefined, 20_000)
    ).trim();
    // Every Scalekit answer takes 600 ms: /readyz is in flight while its list call waits.
    emulator.configure({ latencyMs: 600 });
    const ready = fetch(`${url}/readyz`);
    await pollUntil('the token call to finish', () => emulator.counters().totals.tokenCalls === 1, 10_000, 5);
    run.process.kill('SIGTERM');
    const response = await ready;
    expect(response.status).toBe(200);
    expect(await run.exited).toBe(0);
    // Drained, not cut: the busy keep-alive connection was closed after its answer.
    expect(run.err.join('')).not.toContain('shutdown deadline passed');
  });

  it('refuses to start without the Scalekit settings, naming every missing one', async () => {
    const run = serve(['--port', '0'], { REDIS_URL });
    expect(await run.exited).toBe(1);
    const stderr = run.err.join('');
    expect(stderr).toContain('SCALEKIT_ENVIRONMENT_URL is required for orgsync serve');
    expect(stderr).toContain('SCALEKIT_CLIENT_SECRET is required for orgsync serve');
  });

  it('rejects a bad --port by name', async () => {
    const run = serve(['--port', 'eighty'], baseEnv());
    expect(await run.exited).toBe(1);
    expect(run.err.join('')).toContain('ORGSYNC_HTTP_PORT');
  });
});
