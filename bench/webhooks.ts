/**
 * Webhook benchmark: N signed `account.upserted` deliveries over K distinct accounts, sent on
 * loopback with autocannon to `orgsync serve` (the built CLI, in a child process so that the load
 * generator's CPU is not the server's), queued, and reconciled by an in-process worker against an
 * in-process emulator. Reports requests/s, latency percentiles and how many reconciles and writes
 * the N deliveries cost: deduplication at work. Not a timed test; run by hand or by `npm run bench`:
 *   node dist/bench/webhooks.js [--deliveries N] [--accounts K] [--connections C]
 * With `--flood`, runs the hostile flood of bench/webhook-flood.ts instead (`/healthz` timed during
 * 2,000 unsigned 1 MiB posts over 50 connections).
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { loadConfig, SCALEKIT_SETTINGS } from '../src/config.js';
import { startEmulator } from '../src/emulator/server.js';
import { queueKeyPrefix } from '../src/store/redis-connections.js';
import { rateBudgetKeys } from '../src/store/redis-rate-budget.js';
import { createRunHistory } from '../src/store/run-history.js';
import { startWorker } from '../src/app/worker.js';
import { startServe } from './serve-process.js';

/** Options of `runWebhookBench`; every one has a default. */
export interface WebhookBenchOptions {
  /** N: deliveries sent. Default 2000. */
  deliveries?: number;
  /** K: distinct accounts they are about. Default 20. */
  accounts?: number;
  /** Concurrent HTTP connections. Default 16. */
  connections?: number;
  /** Default `REDIS_URL`, else `redis://127.0.0.1:6379` (as orgsync itself). */
  redisUrl?: string;
  /** Jobs the worker runs at once. Default 4. */
  workerConcurrency?: number;
  /** The queue must drain within this many ms. Default 120000. */
  drainTimeoutMs?: number;
}

/** What one run measured. */
export interface WebhookBenchResult {
  deliveries: number;
  accounts: number;
  connections: number;
  /** Deliveries answered per second over the whole send phase. */
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** HTTP status → count (202 queued, 200 replayed or ignored). */
  statuses: Record<string, number>;
  /** Deliveries that added a job, and those folded into a job already waiting. */
  enqueued: number;
  deduplicated: number;
  /** Reconcile runs the worker performed. */
  reconcileRuns: number;
  /** Organization writes (creates + updates) Scalekit received. */
  reconcileWrites: number;
  /** Accounts whose organization does not show the last revision delivered for it. */
  staleAccounts: number;
}

/** autocannon ships no types: the part of its API used here. */
type Autocannon = (options: Record<string, unknown>) => Promise<{
  duration: number;
  latency: { p50: number; p99: number };
  statusCodeStats: Record<string, { count: number | string }>;
  errors: number;
}>;

function isAutocannon(value: unknown): value is Autocannon {
  return typeof value === 'function';
}

const SECRET = `whsec_${Buffer.from(`bench-${randomUUID()}`).toString('base64')}`;
const CLIENT = { id: 'bench-webhooks', secret: `bench-${randomUUID()}` };

const accountId = (k: number): string => `BENCH-${String(k).padStart(5, '0')}`;
const revisionName = (k: number, revision: number): string => `Account ${k} rev ${revision}`;

/** Delivery i is about account i mod K and carries revision i of it: every run that happens writes. */
function signedDeliveries(n: number, k: number): { body: string; headers: Record<string, string> }[] {
  const webhook = new Webhook(SECRET);
  const at = new Date();
  return Array.from({ length: n }, (_, i) => {
    const body = JSON.stringify({
      type: 'account.upserted',
      occurred_at: at.toISOString(),
      account: {
        account_id: accountId(i % k),
        region: 'us-east',
        display_name: revisionName(i % k, i),
        billing_plan: 'pro',
      },
    });
    const id = `msg_bench_${i}`;
    const headers = {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': webhook.sign(id, at, body),
    };
    return { body, headers };
  });
}

async function waitForDrain(queue: Queue, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = await queue.getJobCountByTypes('waiting', 'active', 'delayed', 'prioritized');
    if (pending === 0) return;
    if (Date.now() > deadline) throw new Error(`the queue still held ${pending} jobs after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function deliveryOutcomes(metricsText: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const match of metricsText.matchAll(
    /^orgsync_webhook_deliveries_total\{route="accounts",outcome="([a-z_]+)"\} (\d+)$/gm,
  ))
    out[match[1] ?? ''] = Number(match[2]);
  return out;
}

/** Runs the benchmark once and cleans up after itself (queue, Redis keys, processes). */
export async function runWebhookBench(options: WebhookBenchOptions = {}): Promise<WebhookBenchResult> {
  const n = options.deliveries ?? 2000;
  const k = options.accounts ?? 20;
  const connections = options.connections ?? 16;
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const queueName = `bench-webhooks-${randomUUID()}`;
  const autocannon: unknown = createRequire(import.meta.url)('autocannon');
  if (!isAutocannon(autocannon)) throw new Error('autocannon did not load as a function');

  const organizations = Array.from({ length: k }, (_, i) => ({
    display_name: revisionName(i, -1),
    external_id: `us-east-${accountId(i)}`,
  }));
  const emulator = await startEmulator({ clientId: CLIENT.id, clientSecret: CLIENT.secret, seed: { organizations } });
  const env = {
    SCALEKIT_ENVIRONMENT_URL: emulator.url,
    SCALEKIT_CLIENT_ID: CLIENT.id,
    SCALEKIT_CLIENT_SECRET: CLIENT.secret,
    REDIS_URL: redisUrl,
    ORGSYNC_WEBHOOK_SECRET: SECRET,
    ORGSYNC_RATE_LIMIT: '2000',
    ORGSYNC_RUN_HISTORY: String(n + 100),
    ORGSYNC_LOG_LEVEL: 'warn',
  };
  const logger = pino({ level: 'warn' });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection: redis });
  const worker = await startWorker({
    config: loadConfig({ env, require: SCALEKIT_SETTINGS }),
    logger,
    queueName,
    schedule: false,
    concurrency: options.workerConcurrency ?? 4,
  });
  let serve: { url: string; stop(): Promise<void> } | undefined;
  try {
    serve = await startServe(env, queueName);
    const deliveries = signedDeliveries(n, k);
    let next = 0;
    const result = await autocannon({
      url: `${serve.url}/webhooks/accounts`,
      connections,
      amount: n,
      requests: [
        {
          method: 'POST',
          setupRequest: (request: Record<string, unknown>) => ({ ...request, ...deliveries[next++ % n] }),
        },
      ],
    });
    await waitForDrain(queue, options.drainTimeoutMs ?? 120_000);
    const outcomes = deliveryOutcomes(await (await fetch(`${serve.url}/metrics`)).text());
    const runs = await createRunHistory(redis, { keyPrefix: queueKeyPrefix(queueName), limit: n + 100 }).list();
    const lastRevision = (i: number): number => i + k * Math.floor((n - 1 - i) / k);
    const stale = organizations.filter(
      (_, i) =>
        i < n &&
        emulator.store.getByExternalId(`us-east-${accountId(i)}`)?.display_name !== revisionName(i, lastRevision(i)),
    ).length;
    const writes = emulator.counters().writes;
    const statuses = Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([status, stat]) => [status, Number(stat.count)]),
    );
    const answered = Object.values(statuses).reduce((a, b) => a + b, 0);
    return {
      deliveries: n,
      accounts: k,
      connections,
      requestsPerSecond: Math.round(answered / Math.max(result.duration, 0.001)),
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      statuses,
      enqueued: outcomes.accepted ?? 0,
      deduplicated: outcomes.deduplicated ?? 0,
      reconcileRuns: runs.filter((r) => r.kind === 'reconcile').length,
      reconcileWrites: writes.create + writes.update,
      staleAccounts: stale,
    };
  } finally {
    await serve?.stop();
    await worker.close({ deadlineMs: 10_000 });
    await queue.obliterate({ force: true });
    await queue.close();
    const prefixes = [queueKeyPrefix(queueName), `bull:${queueName}:`];
    for (const prefix of prefixes) {
      for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 })) {
        if (Array.isArray(keys) && keys.length > 0) await redis.del(...keys.map(String));
      }
    }
    const rate = rateBudgetKeys(emulator.url);
    await redis.del(rate.tat, rate.pause);
    await redis.quit();
    await emulator.close();
  }
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!(Number.isInteger(value) && value > 0)) throw new Error(`--${name}: expected a positive whole number`);
  return value;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--flood')) {
    const { runWebhookFlood } = await import('./webhook-flood.js');
    const kind = process.argv.includes('--kind') ? process.argv[process.argv.indexOf('--kind') + 1] : 'unsigned';
    if (kind !== 'unsigned' && kind !== 'bad-signature') throw new Error('--kind: expected unsigned or bad-signature');
    const result = await runWebhookFlood({ posts: flag('posts', 2000), connections: flag('connections', 50), kind });
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const result = await runWebhookBench({
      deliveries: flag('deliveries', 2000),
      accounts: flag('accounts', 20),
      connections: flag('connections', 16),
    });
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  }
}
