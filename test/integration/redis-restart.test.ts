import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { startCli, type CliProcess } from '../helpers/cli-process.js';
import { startRestartableRedis, type RestartableRedis } from '../helpers/restartable-redis.js';
import { ACCOUNTS_SECRET, signedHeaders } from '../unit/http/server-fixture.js';
import { accountsCsv, pollUntil, testName } from './queue-helpers.js';

/**
 * A standalone Redis with AOF, restarted (stopped, then started on the same port and directory)
 * under real `orgsync worker`, `orgsync serve` and `orgsync enqueue --wait` processes, none of which
 * is restarted.
 */

let redis: RestartableRedis;
let emulator: RunningEmulator;
let dir: string;
let requestTimesMs: number[];

/**
 * How long Redis stays away: longer than `--wait`'s poll interval (2 s at most), so that a poll
 * always meets the outage. A maintenance window, not a wait for something to happen.
 */
const OUTAGE_MS = 3_000;

async function stayAway(stoppedAtMs: number): Promise<void> {
  await pollUntil('the outage to last its time', () => Date.now() - stoppedAtMs >= OUTAGE_MS, OUTAGE_MS + 1_000, 100);
}
const processes: CliProcess[] = [];

beforeEach(async () => {
  redis = await startRestartableRedis();
  requestTimesMs = [];
  emulator = await startEmulator({
    latencyMs: 5,
    logger: { debug: () => void requestTimesMs.push(Date.now()), error: () => undefined },
  });
  dir = await mkdtemp(join(tmpdir(), 'orgsync-redis-restart-'));
});

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.stop()));
  await emulator.close();
  await redis.close();
  await rm(dir, { recursive: true, force: true });
});

const env = (settings: Record<string, string> = {}): Record<string, string> => ({
  SCALEKIT_ENVIRONMENT_URL: emulator.url,
  SCALEKIT_CLIENT_ID: 'client',
  SCALEKIT_CLIENT_SECRET: 'secret',
  REDIS_URL: redis.url,
  ORGSYNC_LOG_LEVEL: 'info',
  ...settings,
});

function cli(args: string[], settings: Record<string, string> = {}): CliProcess {
  const started = startCli(args, env(settings));
  processes.push(started);
  return started;
}

/** Starts `orgsync worker` on `queue` with a health endpoint; resolves with its `/healthz` URL. */
async function worker(
  queue: string,
  settings: Record<string, string> = {},
): Promise<{ healthz: string; process: CliProcess }> {
  const started = cli(
    ['worker', '--queue', queue, '--no-schedule', '--concurrency', '2', '--health-port', '0'],
    settings,
  );
  const line = await pollUntil('the worker health endpoint', () =>
    started.lines().find((l) => l.msg === 'health endpoint listening'),
  );
  return { healthz: String(line.url), process: started };
}

async function statusOf(url: string): Promise<number> {
  return (await fetch(url)).status;
}

/** Requests the emulator answered in the busiest wall-clock second. */
function busiestSecond(): number {
  const perSecond = new Map<number, number>();
  for (const t of requestTimesMs) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
  return Math.max(0, ...perSecond.values());
}

/**
 * Besides the job's states, `--wait` said once that Redis went away (naming it) and nothing else:
 * no error per reconnect attempt.
 */
function expectOneOutageLine(stderr: string, port: number): void {
  const logLines = stderr.split('\n').filter((line) => line.startsWith('{'));
  expect(logLines).toHaveLength(1);
  expect(JSON.parse(logLines[0] ?? '{}')).toMatchObject({
    msg: 'Redis connection lost; reconnecting, commands wait for it',
    redis: `redis://127.0.0.1:${port}`,
  });
  expect(stderr).not.toMatch(/error/i);
}

function expectEveryOrganizationOnce(count: number): void {
  const orgs = emulator.store.snapshot().organizations;
  expect(orgs).toHaveLength(count);
  expect(new Set(orgs.map((o) => o.external_id)).size).toBe(count);
}

describe('a Redis restart in the middle of a bulk import', () => {
  it('loses nothing: workers reconnect, enqueue --wait rides through and reports, every row once, budget held', async () => {
    const queue = testName();
    const rate = 100;
    const settings = { ORGSYNC_RATE_LIMIT: String(rate) };
    const workers = await Promise.all([worker(queue, settings), worker(queue, settings)]);
    const [first] = workers;
    if (!first) throw new Error('no worker');
    const path = join(dir, 'accounts.csv');
    await writeFile(path, accountsCsv(1_000));
    const enqueue = cli(['enqueue', 'bulk-import', path, '--wait', '--queue', queue, '--chunk-size', '50'], {
      ...settings,
      ORGSYNC_LOG_LEVEL: 'warn',
    });

    await pollUntil('the import to be under way', () => emulator.store.snapshot().organizations.length >= 150);
    await redis.stop('shutdown');
    const stoppedAt = Date.now();
    await pollUntil('the worker to say Redis is away', async () => (await statusOf(first.healthz)) === 503);
    await stayAway(stoppedAt);
    const createdWhileAway = emulator.store.snapshot().organizations.length;
    await redis.start();
    await pollUntil('the worker to reconnect', async () => (await statusOf(first.healthz)) === 200);

    const code = await Promise.race([
      enqueue.exited,
      pollUntil('enqueue --wait to exit', () => false, 60_000).then(() => -1),
    ]);
    expectOneOutageLine(enqueue.stderr(), redis.port);
    expect(code).toBe(0);
    expect(enqueue.stdout()).toMatch(/create\s+1000/);
    expect(createdWhileAway).toBeLessThan(1_000);
    expectEveryOrganizationOnce(1_000);
    expect(busiestSecond()).toBeLessThanOrEqual(rate * 1.1);
    // Each worker, still the same process, said once that Redis went away and once that it was back,
    // and logged no warning per reconnect attempt (it used to log one each).
    for (const { process: w } of workers) {
      const lines = w.lines();
      expect(lines.filter((l) => l.msg === 'Redis connection lost; reconnecting, commands wait for it')).toHaveLength(
        1,
      );
      expect(lines.filter((l) => l.msg === 'Redis connection restored')).toHaveLength(1);
      // At most the queue's and the BullMQ worker's error at the instant the socket broke, besides.
      expect(lines.filter((l) => Number(l.level) >= 40).length).toBeLessThanOrEqual(3);
      expect(await Promise.race([w.exited, Promise.resolve('running')])).toBe('running');
    }
  });

  it('is ridden through by enqueue --wait when the Redis process is killed (SIGKILL) and comes back', async () => {
    const queue = testName();
    const path = join(dir, 'accounts.csv');
    await writeFile(path, accountsCsv(300));
    const settings = { ORGSYNC_RATE_LIMIT: '200' };
    const enqueue = cli(['enqueue', 'bulk-import', path, '--wait', '--queue', queue, '--chunk-size', '50'], {
      ...settings,
      ORGSYNC_LOG_LEVEL: 'warn',
    });
    await pollUntil('the job to be enqueued', () => enqueue.stdout().includes('Enqueued bulk-import job'));
    await redis.stop('kill');
    await stayAway(Date.now());
    await redis.start();
    await Promise.all([worker(queue, settings), worker(queue, settings)]);
    const code = await Promise.race([
      enqueue.exited,
      pollUntil('enqueue --wait to exit', () => false, 60_000).then(() => -1),
    ]);
    expectOneOutageLine(enqueue.stderr(), redis.port);
    expect(code).toBe(0);
    expect(enqueue.stdout()).toMatch(/create\s+300/);
    expectEveryOrganizationOnce(300);
  });
});

describe('Redis away for longer than ORGSYNC_REDIS_TIMEOUT_MS', () => {
  it('makes enqueue --wait fail with a message naming the Redis, without its password, in bounded time', async () => {
    await redis.close();
    redis = await startRestartableRedis({ password: 'redis-pass-123' });
    const queue = testName();
    const path = join(dir, 'accounts.csv');
    await writeFile(path, accountsCsv(20));
    const enqueue = cli(['enqueue', 'bulk-import', path, '--wait', '--queue', queue], {
      ORGSYNC_LOG_LEVEL: 'warn',
      ORGSYNC_REDIS_TIMEOUT_MS: '1500',
    });
    await pollUntil('the job to be enqueued', () => enqueue.stdout().includes('Enqueued bulk-import job'));
    await redis.stop('shutdown');
    const stoppedAt = Date.now();
    const code = await Promise.race([
      enqueue.exited,
      pollUntil('enqueue --wait to give up', () => false, 20_000).then(() => -1),
    ]);
    expect(code).toBe(1);
    expect(Date.now() - stoppedAt).toBeLessThan(15_000);
    expect(enqueue.stderr()).toContain(
      `orgsync: Redis at redis://127.0.0.1:${redis.port} did not answer within 1500 ms (ORGSYNC_REDIS_TIMEOUT_MS)`,
    );
    expect(enqueue.stderr()).not.toContain('redis-pass-123');
    expect(enqueue.stderr()).not.toContain('unexpected error');
  });
});

describe('a Redis restart during a webhook burst', () => {
  it('reconciles every accepted webhook; serve reconnects by itself and /readyz is 503 while Redis is away', async () => {
    const queue = testName();
    await worker(queue, { ORGSYNC_RECONCILE_DELAY_MS: '0', ORGSYNC_RATE_LIMIT: '200' });
    const serve = cli(['serve', '--port', '0', '--queue', queue], {
      ORGSYNC_WEBHOOK_SECRET: ACCOUNTS_SECRET,
      ORGSYNC_RECONCILE_DELAY_MS: '0',
      ORGSYNC_LOG_LEVEL: 'warn',
    });
    const url = (await pollUntil('the URL of serve', () => serve.stdout().split('\n')[0] || undefined, 20_000)).trim();
    await pollUntil('serve to be ready', async () => (await statusOf(`${url}/readyz`)) === 200, 20_000);

    const accepted = new Set<string>();
    const refused: number[] = [];
    const deliver = async (n: number): Promise<void> => {
      const body = JSON.stringify({
        type: 'account.upserted',
        occurred_at: new Date().toISOString(),
        account: { account_id: `W${n}`, region: 'us-east', display_name: `Webhook ${n}`, billing_plan: 'pro' },
      });
      const response = await fetch(`${url}/webhooks/accounts`, {
        method: 'POST',
        headers: signedHeaders(ACCOUNTS_SECRET, body),
        body,
      });
      if (response.status === 202) accepted.add(`us-east-W${n}`);
      else refused.push(response.status);
    };
    const burst = (from: number, count: number) =>
      Promise.all(Array.from({ length: count }, (_, i) => deliver(from + i)));

    await burst(0, 20);
    const during = burst(20, 20);
    await redis.stop('shutdown');
    const away = [burst(40, 20)];
    await pollUntil('/readyz to say Redis is away', async () => (await statusOf(`${url}/readyz`)) === 503, 20_000);
    const readyz = (await (await fetch(`${url}/readyz`)).json()) as { checks: Record<string, string> };
    expect(readyz.checks.redis).toMatch(/^failed: not connected/);
    await redis.start();
    await pollUntil('/readyz to be 200 again', async () => (await statusOf(`${url}/readyz`)) === 200, 20_000);
    await Promise.all([during, ...away]);
    await burst(60, 20);

    // Refused deliveries are 503s (the sender retries them), never anything else.
    expect(refused.every((status) => status === 503)).toBe(true);
    expect(accepted.size).toBeGreaterThanOrEqual(40);
    for (let n = 60; n < 80; n += 1) expect(accepted.has(`us-east-W${n}`)).toBe(true);
    await pollUntil(
      'every accepted webhook to be reconciled',
      () => [...accepted].every((id) => emulator.store.getByExternalId(id)),
      30_000,
    );
    const orgs = emulator.store.snapshot().organizations;
    expect(new Set(orgs.map((o) => o.external_id)).size).toBe(orgs.length);
  });
});
