import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { z } from 'zod';
import { enqueueBulkImport } from '../src/app/producer.js';
import { Cluster } from 'ioredis';
import { describeRedis } from '../src/store/redis-client.js';
import { queueKeyPrefix } from '../src/store/redis-connections.js';
import { createProducer, type Producer } from '../src/app/producer.js';
import { waitForJob } from '../src/queue/wait-for-job.js';
import { createCsvSource } from '../src/sources/csv-source.js';
import { writeAccountsCsv } from './csv-writer.js';
import { callFloor, countDrift, type DatasetSpec } from './dataset.js';
import { BENCH_RULES } from './orgsync-run.js';
import type { QueueWorkerStart } from './queue-worker-process.js';
import type { ResultRow } from './result-row.js';
import type { RunSettings } from './run-scenario.js';
import { scenarioSizes, type BenchSize } from './scenarios.js';
import type { BenchTarget } from './target.js';

const WORKERS = 3;
const workerReplySchema = z.union([
  z.object({ ready: z.literal(true) }),
  z.object({ error: z.string() }),
  z.object({ peakRssBytes: z.number() }),
]);
const jobResultSchema = z.object({
  summary: z.object({ create: z.number(), failed: z.number(), api_calls: z.number() }),
});

async function ask(
  child: ChildProcess,
  message: QueueWorkerStart | 'stop',
): Promise<z.output<typeof workerReplySchema>> {
  child.send(message);
  const reply: unknown[] = await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(() => [{ error: 'the worker exited' }]),
  ]);
  return workerReplySchema.parse(reply[0]);
}

/**
 * A bulk import of new accounts through the queue, as `orgsync enqueue bulk-import` does it, with
 * three `orgsync worker` processes sharing the Redis rate budget. Needs Redis (REDIS_URL, default
 * 127.0.0.1:6379); uses a queue of its own, removed afterwards.
 */
export async function runQueueImport(
  size: BenchSize,
  target: BenchTarget,
  settings: RunSettings,
): Promise<ResultRow[]> {
  const sizes = scenarioSizes(size);
  const chunkSize = size === 'full' ? 1_000 : 500;
  const spec: DatasetSpec = {
    envAccounts: sizes.nightlyAccounts,
    driftEvery: 0,
    csvFrom: sizes.nightlyAccounts,
    csvCount: sizes.importAccounts,
  };
  const redis = settings.redis;
  const onCluster = redis.redisMode === 'cluster';
  const queueName = `bench-${randomUUID()}`;
  const dir = await mkdtemp(join(tmpdir(), 'orgsync-bench-queue-'));
  const producer = createProducer({ ...redis, queueName, logger: pino({ level: 'silent' }) });
  const workers: ChildProcess[] = [];
  try {
    const csvPath = join(dir, 'accounts.csv');
    await writeAccountsCsv(csvPath, spec.csvFrom, spec.csvCount);
    settings.log(
      `bulk-import-queue: ${spec.csvCount} new accounts through the queue, ${WORKERS} workers, chunks of ${chunkSize}, into an environment of ${spec.envAccounts}; Redis ${describeRedis(redis)}`,
    );
    await target.prepare(spec);
    await target.reset();
    const start: QueueWorkerStart = {
      url: target.url(),
      clientId: target.clientId,
      clientSecret: target.clientSecret,
      redis,
      queueName,
      ratePerSecond: settings.ratePerSecond,
      concurrency: settings.concurrency,
    };
    for (let i = 0; i < WORKERS; i += 1)
      workers.push(
        fork(new URL('./queue-worker-process.js', import.meta.url), [], {
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          execArgv: settings.child.execArgv ?? [],
        }),
      );
    for (const worker of workers) {
      const reply = await ask(worker, start);
      if ('error' in reply) throw new Error(`a bench worker did not start: ${reply.error}`);
    }
    const startMs = performance.now();
    const enqueued = await enqueueBulkImport(producer, {
      source: createCsvSource({ path: csvPath }),
      rules: BENCH_RULES,
      chunkSize,
    });
    const enqueuedMs = performance.now();
    const { queue } = await producer.resources();
    const end = await waitForJob(queue, enqueued.jobId, { pollMs: 20, maxPollMs: 50 });
    const endMs = performance.now();
    if (end.state !== 'completed') throw new Error(`the bench import failed: ${end.reason}`);
    const result = jobResultSchema.parse(end.result);
    const server = await target.counts();
    let peakRssBytes = 0;
    for (const worker of workers) {
      const reply = await ask(worker, 'stop');
      if ('peakRssBytes' in reply) peakRssBytes = Math.max(peakRssBytes, reply.peakRssBytes);
    }
    const counts = countDrift(spec);
    const floor = callFloor(counts, spec.csvCount, 'partial');
    const calls = server?.apiCalls ?? result.summary.api_calls;
    const notes: string[] = [];
    if (result.summary.create !== counts.creates)
      notes.push(`${result.summary.create} creates, expected ${counts.creates}`);
    if (result.summary.failed > 0) notes.push(`${result.summary.failed} items failed`);
    settings.log(`    ${calls} calls, ${((endMs - startMs) / 1000).toFixed(1)} s`);
    return [
      {
        scenario: 'bulk-import-queue',
        run: `queue ${WORKERS} workers${onCluster ? ', cluster' : ''}`,
        accounts: spec.csvCount,
        drift: 1,
        calls,
        countedBy: server ? 'server' : 'client',
        floorCalls: floor.total,
        wallMs: endMs - startMs,
        floorMs: (floor.total / settings.ratePerSecond) * 1000,
        applyRateRatio: calls / ((endMs - enqueuedMs) / 1000) / settings.ratePerSecond,
        roundTripP50Ms: null,
        roundTripP95Ms: null,
        phasesMs: { snapshot: 0, plan: enqueuedMs - startMs, apply: endMs - enqueuedMs },
        rowsPerSecond: null,
        peakRssBytes,
        callsVsOrgsync: null,
        sampledAccounts: null,
        rateLimited: server?.rateLimited ?? null,
        notes,
        detail: `${enqueued.chunks} chunks of ${chunkSize}, sharing one listing of the environment; apply rate = every call from enqueued to done / that time / budget; peak RSS = the largest worker's`,
      },
    ];
  } finally {
    for (const worker of workers) if (worker.exitCode === null) worker.kill();
    await cleanUpQueue(producer, queueName).finally(() => producer.close());
    await rm(dir, { recursive: true, force: true });
  }
}

/** Removes the bench queue and the keys orgsync kept for it (run history), on every master of a cluster. */
async function cleanUpQueue(producer: Producer, queueName: string): Promise<void> {
  const { queue, redis } = await producer.resources();
  await queue.obliterate({ force: true });
  const pattern = `${queueKeyPrefix(queueName, redis)}*`;
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      // One key at a time: on a cluster they share a slot, but DEL through the node is simplest.
      for (const key of keys) await node.del(key);
      cursor = next;
    } while (cursor !== '0');
  }
}
