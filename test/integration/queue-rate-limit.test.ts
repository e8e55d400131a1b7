import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { domainRules } from '../../src/app.js';
import { enqueueBulkImport } from '../../src/app/producer.js';
import type { RunJobResult } from '../../src/queue/job-processor.js';
import { rateBudgetKeys } from '../../src/store/redis-rate-budget.js';
import { createCsvSource } from '../../src/sources/csv-source.js';
import { createQueueTestEnv, type QueueTestEnv } from './queue-env.js';
import { accountsCsv, completedJob } from './queue-helpers.js';

let t: QueueTestEnv | undefined;

afterEach(async () => {
  if (t) await t.redis.del(...Object.values(rateBudgetKeys(t.emulator.url)));
  await t?.close();
  t = undefined;
});

async function importAcrossTwoWorkers(q: QueueTestEnv, rows: number, chunkSize: number): Promise<RunJobResult> {
  const path = join(q.dir, 'accounts.csv');
  await writeFile(path, accountsCsv(rows));
  await Promise.all([q.startWorker({ concurrency: 2 }), q.startWorker({ concurrency: 2 })]);
  const { jobId } = await enqueueBulkImport(q.producer(), {
    source: createCsvSource({ path }),
    rules: domainRules(q.config),
    chunkSize,
  });
  const job = await completedJob(q.queue, jobId, 'the import to finish', 60_000);
  const result: RunJobResult = job.returnvalue;
  return result;
}

describe('one Scalekit rate budget for every worker', () => {
  it('holds the calls of two worker processes, together, to ORGSYNC_RATE_LIMIT', async () => {
    const requestTimesMs: number[] = [];
    const ratePerSecond = 60;
    t = await createQueueTestEnv({
      env: { ORGSYNC_RATE_LIMIT: String(ratePerSecond) },
      emulator: { logger: { debug: () => void requestTimesMs.push(performance.now()), error: () => undefined } },
    });
    const result = await importAcrossTwoWorkers(t, 200, 50);
    expect(result.summary).toMatchObject({ accounts: 200, create: 200, failed: 0 });
    requestTimesMs.sort((a, b) => a - b);
    const spanMs = (requestTimesMs.at(-1) ?? 0) - (requestTimesMs[0] ?? 0);
    const achievedPerSecond = ((requestTimesMs.length - 1) * 1000) / spanMs;
    const ratio = achievedPerSecond / ratePerSecond;
    expect(ratio).toBeLessThanOrEqual(1.1);
    expect(ratio).toBeGreaterThan(0.7);
  });

  it('pauses every worker when Scalekit answers 429, and the import still converges', async () => {
    t = await createQueueTestEnv({
      env: { ORGSYNC_RATE_LIMIT: '500' },
      emulator: { rateLimit: { perSecond: 40, retryAfter: true } },
    });
    const result = await importAcrossTwoWorkers(t, 120, 30);
    expect(result.summary).toMatchObject({ accounts: 120, create: 120, failed: 0 });
    const counters = t.emulator.counters();
    expect(counters.totals.rateLimited).toBeGreaterThan(0);
    // Without the shared pause every caller would keep hitting the limit; with it, 429s stay a fraction of the calls.
    expect(counters.totals.rateLimited).toBeLessThan(counters.totals.apiCalls / 2);
    expect(t.emulator.store.snapshot().organizations).toHaveLength(120);
  });
});
