import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectScalekit, domainRules } from '../../src/app.js';
import { enqueueBulkImport } from '../../src/app/producer.js';
import type { RunJobResult } from '../../src/queue/job-processor.js';
import { ValidationError } from '../../src/scalekit/errors.js';
import { createCsvSource } from '../../src/sources/csv-source.js';
import { createQueueTestEnv, type QueueTestEnv } from './queue-env.js';
import { accountsCsv, completedJob } from './queue-helpers.js';

let t: QueueTestEnv;

beforeEach(async () => {
  t = await createQueueTestEnv();
});

afterEach(async () => {
  await t.close();
});

async function finishedRun(jobId: string): Promise<RunJobResult> {
  const job = await completedJob(t.queue, jobId, 'the import to finish', 60_000);
  const result: RunJobResult = job.returnvalue;
  return result;
}

describe('bulk imports on the queue', () => {
  it('imports 2,500 rows in chunks of 1,000 across 2 workers into one report, every row accounted for', async () => {
    const path = join(t.dir, 'accounts.csv');
    await writeFile(
      path,
      accountsCsv(2_500, ['C00007,us-east,Twin of 7,pro', ',us-east,No id,pro', 'C99999,mars,Bad region,pro']),
    );
    await Promise.all([t.startWorker({ concurrency: 2 }), t.startWorker({ concurrency: 2 })]);
    const enqueued = await enqueueBulkImport(t.producer(), {
      source: createCsvSource({ path }),
      rules: domainRules(t.config),
      chunkSize: 1_000,
    });
    expect(enqueued).toMatchObject({ chunks: 3, accounts: 2_503 });
    expect(enqueued.problems.map((p) => [p.line, p.action])).toEqual([
      [8, 'conflict'],
      [2502, 'conflict'],
      [2503, 'invalid'],
      [2504, 'invalid'],
    ]);

    const result = await finishedRun(enqueued.jobId);
    expect(result.exit_code).toBe(1);
    expect(result.summary).toMatchObject({
      accounts: 2_503,
      create: 2_499,
      invalid: 2,
      conflict: 2,
      failed: 0,
      unchanged: 0,
    });
    const stored = await t.history.get(result.run_id);
    expect(stored?.summary).toMatchObject({
      kind: 'bulk-import',
      trigger: 'cli',
      job_id: enqueued.jobId,
      result: 'failed',
    });
    const report = stored?.report;
    // The run began when the import was enqueued, not when its parent job gathered the chunks.
    expect(stored?.summary.started_at).toBe(report?.started_at);
    expect(stored?.summary.duration_ms).toBe(
      Date.parse(stored?.summary.finished_at ?? '') - Date.parse(report?.started_at ?? ''),
    );
    expect(report?.items).toHaveLength(2_503);
    expect(new Set(report?.items.map((i) => i.line)).size).toBe(2_503);

    const orgs = t.emulator.store.snapshot().organizations;
    expect(orgs).toHaveLength(2_499);
    expect(new Set(orgs.map((o) => o.external_id)).size).toBe(2_499);
    expect(orgs.some((o) => o.external_id === 'us-east-C00007')).toBe(false);

    const chunkStarts = t.lines.filter((l) => l.msg === 'job started' && l.kind === 'bulk-import-chunk');
    expect(chunkStarts).toHaveLength(3);
    // One listing of Scalekit for the whole import (the environment was empty: one page), not one per chunk.
    expect(t.emulator.counters().routes['GET /api/v1/organizations']).toEqual({ '200': 1 });
    expect(await t.redis.keys(`orgsync:${t.queueName}:import:*`)).toEqual([]);
  });

  it('reports every row of a chunk that failed for good as failed, and still finishes the import', async () => {
    const path = join(t.dir, 'accounts.csv');
    await writeFile(path, accountsCsv(30));
    let clients = 0;
    await t.startWorker({
      concurrency: 1,
      connectScalekit: (config, logger, options) => {
        const connection = connectScalekit(config, logger, options);
        clients += 1;
        // The first chunk's client lists the import's shared snapshot: refusing it fails that chunk for good.
        if (clients !== 1) return connection;
        const refuse = () => {
          throw new ValidationError('refused', { method: 'GET', routeTemplate: '/api/v1/organizations', status: 400 });
        };
        return { ...connection, api: { ...connection.api, listOrganizations: refuse } };
      },
    });
    const { jobId } = await enqueueBulkImport(t.producer(), {
      source: createCsvSource({ path }),
      rules: domainRules(t.config),
      chunkSize: 10,
    });
    const result = await finishedRun(jobId);
    expect(result.summary).toMatchObject({ accounts: 30, create: 20, failed: 10 });
    const report = (await t.history.get(result.run_id))?.report;
    const failed = report?.items.filter((i) => i.action === 'failed') ?? [];
    expect(failed).toHaveLength(10);
    expect(failed[0]?.error?.code).toBe('ERR_CHUNK_FAILED');
    expect(failed[0]?.error?.message).toContain('refused');
    expect(failed[0]?.external_id).toMatch(/^us-east-C000\d\d$/);
  });

  it('leaves alone the owned keys of columns the file does not have, and says so in the report', async () => {
    const { api, close } = connectScalekit(t.config, t.logger);
    const metadata = { billing_plan: 'pro', invoice_email: 'ap@one.example', tax_id: 'TAX-1', crm: 'x' };
    await api.createOrganization({ display_name: 'One', external_id: 'us-east-C1', metadata });
    await close();
    const path = join(t.dir, 'partial-columns.csv');
    // No invoice_email, billing_currency or tax_id column: those keys are not managed by this import.
    await writeFile(
      path,
      'account_id,region,display_name,billing_plan,notes\nC1,us-east,One,gold,x\nC2,us-east,Two,pro,y\n',
    );
    await t.startWorker();
    const { jobId } = await enqueueBulkImport(t.producer(), {
      source: createCsvSource({ path }),
      rules: domainRules(t.config),
      chunkSize: 1,
    });
    const result = await finishedRun(jobId);
    expect(result.summary).toMatchObject({ accounts: 2, create: 1, update: 1, failed: 0 });
    expect(t.emulator.store.getByExternalId('us-east-C1')?.metadata).toEqual({ ...metadata, billing_plan: 'gold' });
    expect(t.emulator.store.getByExternalId('us-east-C2')?.metadata).toEqual({ billing_plan: 'pro' });
    const report = (await t.history.get(result.run_id))?.report;
    expect(report?.unmanaged_keys).toEqual(['invoice_email', 'billing_currency', 'tax_id']);
    expect(report?.unknown_columns).toEqual(['notes']);
    const update = report?.items.find((i) => i.action === 'update');
    expect(update?.changes).toEqual([{ field: 'metadata.billing_plan', from: 'pro', to: 'gold' }]);
  });
});
