import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import { runEnqueueCommand } from '../../src/commands/enqueue.js';
import type { Report } from '../../src/engine/types.js';
import type { RunJobResult } from '../../src/queue/job-processor.js';
import { createQueueTestEnv, type QueueTestEnv } from './queue-env.js';
import { captureIo, completedJob, pollUntil } from './queue-helpers.js';

const EXPORT =
  'Customer,Zone,Company_Name,Billing_Email,Plan,Notes\n' +
  'C1,us-east,Acme,ap@acme.example,pro,first\n' +
  'C2,eu-west,Globex,billing@globex.example,free,second\n';
const MAP = 'account_id=customer,region=zone,display_name=company_name,invoice_email=billing_email,billing_plan=plan';

let t: QueueTestEnv | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('the column map on the queue', () => {
  it('enqueue bulk-import --map imports a CSV with other column names through a worker', async () => {
    t = await createQueueTestEnv();
    await t.startWorker();
    const path = join(t.dir, 'export.csv');
    await writeFile(path, EXPORT);
    const reportDir = join(t.dir, 'reports');
    const { io, out } = captureIo(t.env);
    // The command line as an operator types it: orgsync enqueue bulk-import FILE --map ... --wait
    await buildProgram(io).parseAsync([
      'node',
      'orgsync',
      'enqueue',
      'bulk-import',
      path,
      '--map',
      MAP,
      '--wait',
      '--report-dir',
      reportDir,
      '--queue',
      t.queueName,
    ]);
    expect(process.exitCode).toBe(0);
    process.exitCode = undefined;
    expect(out()).toContain('2 records read');
    expect(t.emulator.store.getByExternalId('us-east-C1')).toMatchObject({
      display_name: 'Acme',
      metadata: { invoice_email: 'ap@acme.example', billing_plan: 'pro' },
    });
    expect(t.emulator.store.getByExternalId('eu-west-C2')?.display_name).toBe('Globex');
    const report = JSON.parse(await readFile(join(reportDir, 'report.json'), 'utf8')) as Report;
    expect(report.summary).toMatchObject({ create: 2, invalid: 0 });
    expect(report.unknown_columns).toEqual(['notes']);
    expect(report.unmanaged_keys).toEqual(['billing_currency', 'tax_id']);
  });

  it('enqueue bulk-import refuses a mapped column the CSV lacks, naming both, and enqueues nothing', async () => {
    t = await createQueueTestEnv({ env: { ORGSYNC_COLUMN_MAP: 'account_id=customer,display_name=name' } });
    const path = join(t.dir, 'export.csv');
    await writeFile(path, EXPORT);
    const { io } = captureIo(t.env);
    await expect(
      runEnqueueCommand({ kind: 'bulk-import', csv: path, flags: { queue: t.queueName } }, io),
    ).rejects.toThrow(/display_name=name: .*export\.csv's header has no column "name" to read display_name from/);
    expect(await t.queue.count()).toBe(0);
  });

  it('a worker reads its host source through ORGSYNC_COLUMN_MAP (the nightly sync)', async () => {
    t = await createQueueTestEnv({ env: { ORGSYNC_COLUMN_MAP: MAP } });
    const path = join(t.dir, 'host.csv');
    await writeFile(path, EXPORT);
    t.config.source = `csv:${path}`;
    await t.startWorker();
    const { jobId } = await t.producer().enqueue('nightly-sync', { trigger: 'cli' });
    const job = await completedJob(t.queue, jobId, 'the nightly sync to finish');
    const result: RunJobResult = job.returnvalue;
    expect(result.summary).toMatchObject({ create: 2, invalid: 0 });
    expect(t.emulator.store.getByExternalId('eu-west-C2')?.metadata).toMatchObject({
      invoice_email: 'billing@globex.example',
      billing_plan: 'free',
    });
  });

  it('a nightly sync whose mapped column the host source lacks fails at once, naming the field and the column', async () => {
    t = await createQueueTestEnv({ env: { ORGSYNC_COLUMN_MAP: `${MAP},tax_id=vat_number` } });
    const path = join(t.dir, 'host.csv');
    await writeFile(path, EXPORT);
    t.config.source = `csv:${path}`;
    await t.startWorker();
    const { jobId } = await t.producer().enqueue('nightly-sync', { trigger: 'cli' });
    const queue = t.queue;
    const reason = await pollUntil('the nightly sync to fail', async () =>
      (await queue.getJobState(jobId)) === 'failed' ? (await queue.getJob(jobId))?.failedReason : undefined,
    );
    expect(reason).toContain(`tax_id=vat_number: ${path}'s header`);
    expect(reason).toContain('has no column "vat_number" to read tax_id from');
    expect((await queue.getJob(jobId))?.attemptsMade).toBe(1);
    expect(t.emulator.counters().writes).toEqual({ create: 0, update: 0, delete: 0 });
  });
});
