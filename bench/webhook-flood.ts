/**
 * Webhook flood benchmark: P unsigned (or badly signed) 1 MiB posts to `POST /webhooks/accounts`
 * over C connections with autocannon, while a prober in a worker thread times `GET /healthz`
 * every 10 ms on its own connection. `orgsync serve` is the built CLI in a child process. Shows
 * that a hostile sender cannot starve the service: the headers are refused before the body is
 * read, and the address is limited after 30 failures. Not a timed test; run by hand:
 *   node dist/bench/webhooks.js --flood [--posts 2000] [--connections 50] [--kind unsigned|bad-signature]
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { startEmulator } from '../src/emulator/server.js';
import { queueKeyPrefix } from '../src/store/redis-connections.js';
import { startServe } from './serve-process.js';

/** Options of `runWebhookFlood`; every one has a default. */
export interface WebhookFloodOptions {
  /** Posts sent. Default 2000. */
  posts?: number;
  /** Concurrent connections. Default 50. */
  connections?: number;
  /** Body size in bytes. Default 1 MiB. */
  bodyBytes?: number;
  /** `unsigned`: no webhook headers. `bad-signature`: fresh headers, a signature that does not match. */
  kind?: 'unsigned' | 'bad-signature';
  /** Default `redis://127.0.0.1:6379`. */
  redisUrl?: string;
}

/** What one flood measured. */
export interface WebhookFloodResult {
  posts: number;
  connections: number;
  bodyBytes: number;
  kind: string;
  /** Posts answered per second, and the flood's wall time. */
  requestsPerSecond: number;
  durationS: number;
  /** Requests autocannon started, and HTTP status → count of those answered (401 refused, 429 limited). */
  sent: number;
  statuses: Record<string, number>;
  /** Requests cut before the whole body was sent: the service closes a refused post's connection unread. */
  errors: number;
  /** `/healthz` timed during the flood. */
  healthz: { probes: number; failed: number; p50Ms: number; p99Ms: number; maxMs: number };
}

type Autocannon = (options: Record<string, unknown>) => Promise<{
  duration: number;
  requests: { sent: number };
  statusCodeStats: Record<string, { count: number | string }>;
  errors: number;
}>;

/** The prober: sequential GETs with a 10 ms pause, until told to stop; posts back the latencies. */
const PROBER = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
let stop = false;
parentPort.on('message', () => { stop = true; });
(async () => {
  const samples = [];
  let failed = 0;
  while (!stop) {
    const started = performance.now();
    try {
      const response = await fetch(workerData.url);
      await response.arrayBuffer();
      if (response.status === 200) samples.push(performance.now() - started); else failed += 1;
    } catch { failed += 1; }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  parentPort.postMessage({ samples, failed });
})();
`;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? Number.NaN) * 10) / 10;
}

function floodHeaders(kind: WebhookFloodOptions['kind']): Record<string, string> {
  if (kind !== 'bad-signature') return { 'content-type': 'application/json' };
  return {
    'content-type': 'application/json',
    'webhook-id': `msg_flood_${randomUUID()}`,
    'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
    'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}`,
  };
}

/** Runs the flood once against a fresh `orgsync serve`; cleans up its processes and Redis keys. */
export async function runWebhookFlood(options: WebhookFloodOptions = {}): Promise<WebhookFloodResult> {
  const posts = options.posts ?? 2000;
  const connections = options.connections ?? 50;
  const bodyBytes = options.bodyBytes ?? 1024 * 1024;
  const kind = options.kind ?? 'unsigned';
  const redisUrl = options.redisUrl ?? 'redis://127.0.0.1:6379';
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const queueName = `bench-flood-${randomUUID()}`;
  const client = { id: 'bench-flood', secret: `bench-${randomUUID()}` };
  const emulator = await startEmulator({ clientId: client.id, clientSecret: client.secret });
  const serve = await startServe(
    {
      SCALEKIT_ENVIRONMENT_URL: emulator.url,
      SCALEKIT_CLIENT_ID: client.id,
      SCALEKIT_CLIENT_SECRET: client.secret,
      REDIS_URL: redisUrl,
      ORGSYNC_WEBHOOK_SECRET: `whsec_${Buffer.from(`flood-${randomUUID()}`).toString('base64')}`,
      ORGSYNC_LOG_LEVEL: 'warn',
    },
    queueName,
  ).catch(async (error: unknown) => {
    await emulator.close();
    throw error;
  });
  const prober = new Worker(PROBER, { eval: true, workerData: { url: `${serve.url}/healthz` } });
  try {
    const probed = new Promise<{ samples: number[]; failed: number }>((resolve, reject) => {
      prober.once('message', resolve);
      prober.once('error', reject);
    });
    const result = await autocannon({
      url: `${serve.url}/webhooks/accounts`,
      connections,
      amount: posts,
      method: 'POST',
      headers: floodHeaders(kind),
      body: Buffer.alloc(bodyBytes, 0x61),
    });
    prober.postMessage('stop');
    const { samples, failed } = await probed;
    const sorted = [...samples].sort((a, b) => a - b);
    const statuses = Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([status, stat]) => [status, Number(stat.count)]),
    );
    const answered = Object.values(statuses).reduce((a, b) => a + b, 0);
    return {
      posts,
      connections,
      bodyBytes,
      kind,
      requestsPerSecond: Math.round(answered / Math.max(result.duration, 0.001)),
      durationS: Math.round(result.duration * 10) / 10,
      sent: result.requests.sent,
      statuses,
      errors: result.errors,
      healthz: {
        probes: samples.length,
        failed,
        p50Ms: percentile(sorted, 50),
        p99Ms: percentile(sorted, 99),
        maxMs: percentile(sorted, 100),
      },
    };
  } finally {
    await prober.terminate();
    await serve.stop();
    await emulator.close();
    const redis = new Redis(redisUrl);
    for await (const keys of redis.scanStream({ match: `${queueKeyPrefix(queueName)}*`, count: 500 })) {
      if (Array.isArray(keys) && keys.length > 0) await redis.del(...keys.map(String));
    }
    await redis.quit();
  }
}
