import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectScalekit, domainRules, type ConnectScalekit } from '../../src/app.js';
import { enqueueBulkImport } from '../../src/app/producer.js';
import type { EmulatorCounters } from '../../src/emulator/counters.js';
import type { RunJobResult } from '../../src/queue/job-processor.js';
import type { ScalekitApi } from '../../src/scalekit/api.js';
import { createCsvSource } from '../../src/sources/csv-source.js';
import { chunkProgressKey } from '../../src/store/chunk-progress.js';
import { queueKeyPrefix } from '../../src/store/redis-connections.js';
import { CLI } from '../helpers/run-cli.js';
import { createQueueTestEnv, type QueueTestEnv } from './queue-env.js';
import { accountsCsv, completedJob, pollUntil } from './queue-helpers.js';

let t: QueueTestEnv | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
});

/**
 * A Scalekit connector whose clients send the first `creates` creates and hold every later one
 * until the job is aborted (never sent): the worker "dies" after exactly that many creates.
 */
function stallingAfter(creates: number): ConnectScalekit {
  let sent = 0;
  return (config, logger, options) => {
    const connection = connectScalekit(config, logger, options);
    const real = connection.api;
    const api = new Proxy(real, {
      get(target, property, receiver) {
        if (property === 'createOrganization') {
          const create: ScalekitApi['createOrganization'] = async (input, callOptions) => {
            if (sent >= creates) {
              const signal = callOptions?.signal;
              await new Promise<never>((_, reject) =>
                signal?.addEventListener('abort', () => reject(new Error('killed')), { once: true }),
              );
            }
            sent += 1;
            return real.createOrganization(input, callOptions);
          };
          return create;
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    return { ...connection, api };
  };
}

function createsAnswered(counters: EmulatorCounters, status: string): number {
  return counters.routes['POST /api/v1/organizations']?.[status] ?? 0;
}

describe('a chunk retried after its worker died mid-chunk', () => {
  it('skips the rows already written: no 409, no lookup, only the remaining writes', async () => {
    const rows = 300;
    const createdBeforeDeath = 120;
    t = await createQueueTestEnv({ env: { ORGSYNC_CONCURRENCY: '4' } });
    const q = t;
    const path = join(q.dir, 'accounts.csv');
    await writeFile(path, accountsCsv(rows));
    const doomed = await q.startWorker({ concurrency: 1, connectScalekit: stallingAfter(createdBeforeDeath) });
    const { jobId, importId } = await enqueueBulkImport(q.producer(), {
      source: createCsvSource({ path }),
      rules: domainRules(q.config),
      chunkSize: rows,
    });
    const progressKey = chunkProgressKey(queueKeyPrefix(q.queueName), importId, 0);
    await pollUntil(
      'the first worker to create and record its rows, then hang',
      async () =>
        q.emulator.counters().writes.create === createdBeforeDeath &&
        (await q.redis.hlen(progressKey)) === createdBeforeDeath,
    );
    await doomed.kill();
    const atDeath = q.emulator.counters();
    expect(createsAnswered(atDeath, '409')).toBe(0);

    await q.startWorker({ concurrency: 1 });
    const job = await completedJob(q.queue, jobId, 'the import to finish', 60_000);
    const result: RunJobResult = job.returnvalue;

    const after = q.emulator.counters();
    const remaining = rows - createdBeforeDeath;
    expect(createsAnswered(after, '409')).toBe(0);
    expect(after.routes['GET /api/v1/organizations:external/{external_id}'] ?? {}).toEqual({});
    // At most the remaining rows' writes plus one read each; here exactly their creates.
    const retryCalls = after.totals.apiCalls - atDeath.totals.apiCalls;
    expect(retryCalls).toBeLessThanOrEqual(remaining * 2);
    expect(retryCalls).toBe(remaining);
    expect(after.writes.create).toBe(rows);

    const rerun = q.lines.find(
      (l) => l.msg === 'rerun of a chunk: rows an earlier attempt wrote are reported, not written again',
    );
    expect(rerun).toMatchObject({ rows_written: createdBeforeDeath, rows_pending: remaining });
    // The report still says what happened to every row: each was created once.
    expect(result.summary).toMatchObject({ accounts: rows, create: rows, unchanged: 0, failed: 0 });
    const orgs = q.emulator.store.snapshot().organizations;
    expect(orgs).toHaveLength(rows);
    expect(new Set(orgs.map((o) => o.external_id)).size).toBe(rows);
    // The import's keys are gone with it, the progress record included.
    expect(await q.redis.exists(progressKey)).toBe(0);
  });

  it('a worker process killed with SIGKILL mid-chunk: at most the creates in flight meet a 409', async () => {
    const rows = 1_000;
    const concurrency = 8;
    t = await createQueueTestEnv({ emulator: { latencyMs: 10 }, env: { ORGSYNC_CONCURRENCY: String(concurrency) } });
    const q = t;
    const path = join(q.dir, 'accounts.csv');
    await writeFile(path, accountsCsv(rows));
    const child = spawn(
      process.execPath,
      [CLI, 'worker', '--queue', q.queueName, '--no-schedule', '--concurrency', '1'],
      { env: { PATH: process.env.PATH ?? '', ...q.env }, stdio: 'ignore' },
    );
    const exited = once(child, 'exit');
    try {
      const { jobId } = await enqueueBulkImport(q.producer(), {
        source: createCsvSource({ path }),
        rules: domainRules(q.config),
        chunkSize: rows,
      });
      await pollUntil(
        'the worker process to be halfway through the chunk',
        () => q.emulator.counters().writes.create >= 400,
      );
      child.kill('SIGKILL');
      await exited;
      const atDeath = q.emulator.counters();
      const remaining = rows - atDeath.writes.create;

      await q.startWorker({ concurrency: 1 });
      const job = await completedJob(q.queue, jobId, 'the import to finish', 90_000);
      const result: RunJobResult = job.returnvalue;

      const after = q.emulator.counters();
      const conflicts = createsAnswered(after, '409');
      expect(conflicts).toBeLessThanOrEqual(concurrency);
      const lookups = Object.values(after.routes['GET /api/v1/organizations:external/{external_id}'] ?? {});
      expect(lookups.reduce((a, b) => a + b, 0)).toBe(conflicts);
      // The remaining rows' creates, plus a 409 and a lookup for each create that was in flight.
      expect(after.totals.apiCalls - atDeath.totals.apiCalls).toBeLessThanOrEqual(remaining + 2 * conflicts);
      expect(result.summary).toMatchObject({ accounts: rows, failed: 0 });
      expect(result.summary.create + result.summary.unchanged).toBe(rows);
      const orgs = q.emulator.store.snapshot().organizations;
      expect(orgs).toHaveLength(rows);
      expect(new Set(orgs.map((o) => o.external_id)).size).toBe(rows);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  });
});
