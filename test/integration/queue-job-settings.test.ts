import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, describe, expect, it } from 'vitest';
import { runEnqueueCommand } from '../../src/commands/enqueue.js';
import type { Report } from '../../src/engine/types.js';
import type { RunJobResult } from '../../src/queue/job-processor.js';
import { deleteSeed } from '../helpers/delete-seed.js';
import { createQueueTestEnv, type QueueTestEnv } from './queue-env.js';
import { captureIo, completedJob } from './queue-helpers.js';

const HEADER = 'account_id,region,display_name,billing_plan\n';
let t: QueueTestEnv | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Ten managed organizations: KEEP-1..8 in the source, GONE-1 deletable, GONE-SCIM with SCIM on; one unlinked "Adopt Me". */
const seed = deleteSeed({
  keepMetadata: { billing_plan: 'pro' },
  extra: [{ id: 'org_unlinked', display_name: 'Adopt Me' }],
});
const KEEP = Array.from({ length: 8 }, (_, i) => `KEEP-${i + 1},us-east,Keep ${i + 1},pro\n`).join('');

/** An emulator seeded as above, a host CSV with `rows`, and workers with these settings. */
async function nightlyEnv(rows: string, env: Record<string, string> = {}): Promise<QueueTestEnv> {
  const q = await createQueueTestEnv({ emulator: { clientId: 'client', clientSecret: 'secret', seed }, env });
  await hostCsv(q, `${HEADER}${rows}`);
  return q;
}

/** Writes the host CSV into the test's directory and makes it the workers' ORGSYNC_SOURCE. */
async function hostCsv(q: QueueTestEnv, content: string | Buffer): Promise<void> {
  const path = join(q.dir, 'host.csv');
  await writeFile(path, content);
  // The directory exists only once the env is made, so the setting is given to the config here.
  q.config.source = `csv:${path}`;
}

async function runNightly(q: QueueTestEnv): Promise<Report> {
  await q.startWorker();
  const { jobId } = await q.producer().enqueue('nightly-sync', { trigger: 'cli' });
  const job = await completedJob(q.queue, jobId, 'the nightly sync to finish');
  const result: RunJobResult = job.returnvalue;
  const stored = await q.history.get(result.run_id);
  if (!stored?.report) throw new Error('the nightly run is not in the run history');
  return stored.report;
}

describe('the nightly sync policy (ORGSYNC_NIGHTLY_ALLOW_DELETE, ORGSYNC_NIGHTLY_ADOPT)', () => {
  it('by default deletes and adopts nothing: orphans and adoptable organizations are reported', async () => {
    t = await nightlyEnv(`${KEEP}NEW-1,us-east,Adopt Me,pro\n`);
    const report = await runNightly(t);
    expect(report.scope).toBe('full');
    expect(report.summary).toMatchObject({ orphan: 2, delete: 0, adoptable: 1, create: 0 });
    expect(t.emulator.counters().writes).toEqual({ create: 0, update: 0, delete: 0 });
  });

  it('with both set, deletes orphans through the same safeguards and adopts like --adopt', async () => {
    t = await nightlyEnv(`${KEEP}NEW-1,us-east,Adopt Me,pro\n`, {
      ORGSYNC_NIGHTLY_ALLOW_DELETE: 'true',
      ORGSYNC_NIGHTLY_ADOPT: 'true',
    });
    const report = await runNightly(t);
    expect(report.summary).toMatchObject({ delete: 1, orphan: 1, adoptable: 0, update: 1 });
    const scim = report.items.find((i) => i.external_id === 'us-east-GONE-SCIM');
    expect(scim).toMatchObject({ action: 'orphan', error: { code: 'SCIM_DIRECTORY_ENABLED' } });
    expect(t.emulator.store.getByExternalId('us-east-GONE-1')).toBeUndefined();
    expect(t.emulator.store.getByExternalId('us-east-GONE-SCIM')).toBeDefined();
    expect(t.emulator.store.getByExternalId('us-east-NEW-1')?.id).toBe('org_unlinked');
  });

  it('with allow-delete, an invalid row of the host source still holds every delete back', async () => {
    t = await nightlyEnv(`${KEEP}BAD-1,atlantis,Lost,pro\n`, { ORGSYNC_NIGHTLY_ALLOW_DELETE: 'true' });
    const report = await runNightly(t);
    expect(report.summary).toMatchObject({ delete: 0, orphan: 2, invalid: 1 });
    expect(report.items.find((i) => i.external_id === 'us-east-GONE-1')?.error?.code).toBe(
      'DELETE_WITHHELD_INVALID_ROWS',
    );
    expect(t.emulator.counters().writes.delete).toBe(0);
  });
});

describe('source settings for workers (ORGSYNC_REGION, ORGSYNC_CSV_DELIMITER, ORGSYNC_CSV_ENCODING)', () => {
  it('the nightly sync reads a host CSV with one region, semicolons and Latin-1 as configured', async () => {
    t = await createQueueTestEnv({
      env: { ORGSYNC_REGION: 'EU-West', ORGSYNC_CSV_DELIMITER: ';', ORGSYNC_CSV_ENCODING: 'latin1' },
    });
    await hostCsv(t, iconv.encode('account_id;display_name;billing_plan\nC1;Café Münster;pro, plus\n', 'latin1'));
    const report = await runNightly(t);
    expect(report.summary).toMatchObject({ create: 1, invalid: 0 });
    expect(t.emulator.store.getByExternalId('eu-west-C1')).toMatchObject({
      display_name: 'Café Münster',
      metadata: { billing_plan: 'pro, plus' },
    });
  });

  it('enqueue bulk-import reads them too, and its flags override them', async () => {
    t = await createQueueTestEnv({ env: { ORGSYNC_REGION: 'eu-west', ORGSYNC_CSV_DELIMITER: ';' } });
    await t.startWorker();
    const semicolons = join(t.dir, 'semi.csv');
    await writeFile(semicolons, 'account_id;display_name\nS1;Semi One\n');
    const fromEnv = captureIo(t.env);
    expect(
      await runEnqueueCommand(
        { kind: 'bulk-import', csv: semicolons, flags: { wait: true, queue: t.queueName } },
        fromEnv.io,
      ),
    ).toBe(0);
    expect(t.emulator.store.getByExternalId('eu-west-S1')?.display_name).toBe('Semi One');

    const commas = join(t.dir, 'commas.csv');
    await writeFile(commas, 'account_id,display_name\nS2,Comma Two\n');
    const fromFlags = captureIo(t.env);
    expect(
      await runEnqueueCommand(
        {
          kind: 'bulk-import',
          csv: commas,
          flags: { wait: true, queue: t.queueName, region: 'us-west', delimiter: ',' },
        },
        fromFlags.io,
      ),
    ).toBe(0);
    expect(t.emulator.store.getByExternalId('us-west-S2')?.display_name).toBe('Comma Two');
  });
});
