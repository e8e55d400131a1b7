import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { domainRules } from '../../src/app.js';
import { enqueueBulkImport } from '../../src/app/producer.js';
import type { RunJobResult } from '../../src/queue/job-processor.js';
import { createCsvSource } from '../../src/sources/csv-source.js';
import { createQueueTestEnv, type QueueTestEnv } from './queue-env.js';
import { accountsCsv, completedJob } from './queue-helpers.js';

let t: QueueTestEnv | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe("a bulk import's snapshot of Scalekit", () => {
  it('is listed once for the whole import, shared by every chunk on every worker', async () => {
    // 250 organizations (3 pages): 200 match rows of the file (100 of them renamed), 50 are someone else's.
    const organizations = [
      ...Array.from({ length: 200 }, (_, i) => ({
        display_name: i < 100 ? `Old name ${i + 1}` : `Company ${i + 1}`,
        external_id: `us-east-C${String(i + 1).padStart(5, '0')}`,
        metadata: { billing_plan: 'pro', crm: 'x' },
      })),
      ...Array.from({ length: 50 }, (_, i) => ({
        display_name: `Other ${i}`,
        external_id: `legacy-${i}`,
        metadata: {},
      })),
    ];
    t = await createQueueTestEnv({ emulator: { seed: { organizations } } });
    const path = join(t.dir, 'accounts.csv');
    await writeFile(path, accountsCsv(1_000));
    await Promise.all([t.startWorker({ concurrency: 2 }), t.startWorker({ concurrency: 2 })]);
    const { jobId } = await enqueueBulkImport(t.producer(), {
      source: createCsvSource({ path }),
      rules: domainRules(t.config),
      chunkSize: 200,
    });

    const job = await completedJob(t.queue, jobId, 'the import to finish', 60_000);
    const result: RunJobResult = job.returnvalue;
    expect(result.summary).toMatchObject({ accounts: 1_000, create: 800, update: 100, unchanged: 100, failed: 0 });

    const counters = t.emulator.counters();
    // 5 chunks, yet the environment was listed once: 3 pages, not 15 (and no lookup per row).
    expect(counters.routes['GET /api/v1/organizations']).toEqual({ '200': 3 });
    expect(counters.routes['GET /api/v1/organizations:external/{external_id}']).toBeUndefined();
    expect(t.emulator.store.getByExternalId('us-east-C00001')).toMatchObject({
      display_name: 'Company 1',
      metadata: { billing_plan: 'pro', crm: 'x' },
    });
    expect(await t.redis.keys(`orgsync:${t.queueName}:import:*`)).toEqual([]);
  });
});
