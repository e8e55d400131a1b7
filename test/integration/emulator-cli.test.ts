import { Command } from 'commander';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerEmulatorCommand } from '../../src/commands/emulator.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emulator-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function until<T>(read: () => T | undefined, deadlineMs = 10_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('condition not met before the deadline');
    await new Promise((r) => setImmediate(r));
  }
}

function tokenRequest(url: string, id: string, secret: string): Promise<Response> {
  return fetch(`${url}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret }),
  });
}

/** Runs `orgsync emulator ARGS` in-process; `stop()` ends it as a signal would. */
function runCommand(args: string[], credentials = { clientId: 'env-id', clientSecret: 'env-secret' }) {
  const lines: string[] = [];
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const program = new Command('orgsync').exitOverride().configureOutput({ writeErr: () => undefined });
  registerEmulatorCommand(program, () => credentials, {
    stdout: { write: (text: string) => lines.push(text) },
    untilStopped: () => stopped,
  });
  const done = program.parseAsync(['node', 'orgsync', 'emulator', '--port', '0', '--log-level', 'silent', ...args]);
  return { lines, stop, done };
}

describe('orgsync emulator', () => {
  it('prints its base URL first, serves the seed, checks the configured credentials, and stops', async () => {
    const seed = join(dir, 'seed.json');
    await writeFile(seed, JSON.stringify({ organizations: [{ display_name: 'Seeded', external_id: 'us-east-1' }] }));
    const run = runCommand(['--seed', seed, '--rate-limit', '50', '--no-retry-after', '--random-seed', '3']);
    const url = await until(() => run.lines[0]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\n$/);
    const base = url.trim();
    expect((await tokenRequest(base, 'env-id', 'wrong')).status).toBe(401);
    const ok = await tokenRequest(base, 'env-id', 'env-secret');
    const { access_token } = (await ok.json()) as { access_token: string };
    const list = await fetch(`${base}/api/v1/organizations`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(await list.json()).toMatchObject({
      organizations: [{ display_name: 'Seeded', external_id: 'us-east-1' }],
      total_size: 1,
    });
    expect(await (await fetch(`${base}/_emulator/config`)).json()).toMatchObject({
      rateLimit: { perSecond: 50, retryAfter: false },
      randomSeed: 3,
    });
    run.stop();
    await run.done;
    await expect(fetch(`${base}/_emulator/state`)).rejects.toThrow();
  });

  it('lets --client-id/--client-secret override the configured credentials', async () => {
    const run = runCommand(['--client-id', 'flag-id', '--client-secret', 'flag-secret']);
    const base = (await until(() => run.lines[0])).trim();
    expect((await tokenRequest(base, 'env-id', 'env-secret')).status).toBe(401);
    expect((await tokenRequest(base, 'flag-id', 'flag-secret')).status).toBe(200);
    run.stop();
    await run.done;
  });

  it('refuses a bad flag value with a message naming what it expected', async () => {
    const run = runCommand(['--fault-rate', '1.5']);
    await expect(run.done).rejects.toThrow(/fault-rate.*expected a fraction 0\.\.1/s);
    const kinds = runCommand(['--fault-kinds', 'drop,meteor']);
    await expect(kinds.done).rejects.toThrow(/unknown: meteor/);
  });

  it('documents every flag in --help', () => {
    const program = new Command('orgsync');
    registerEmulatorCommand(program, () => ({}));
    const help = program.commands.find((c) => c.name() === 'emulator')?.helpInformation() ?? '';
    for (const flag of [
      '--port',
      '--host',
      '--seed',
      '--latency-ms',
      '--rate-limit',
      '--no-retry-after',
      '--fault-rate',
      '--fault-kinds',
      '--fault-phase',
      '--random-seed',
      '--client-id',
      '--client-secret',
    ]) {
      expect(help).toContain(flag);
    }
  });
});
