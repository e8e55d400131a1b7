import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunJobResult } from '../../src/queue/job-processor.js';
import { createQueueTestEnv, type QueueTestEnv } from './queue-env.js';
import { completedJob } from './queue-helpers.js';

let t: QueueTestEnv;

beforeEach(async () => {
  t = await createQueueTestEnv();
  const hostCsv = join(t.dir, 'host.csv');
  await writeFile(
    hostCsv,
    'account_id,region,display_name,billing_plan\nC5,us-east,Five Inc,pro\nC9,us-east,From the host,team\n',
  );
  t.config.source = `csv:${hostCsv}`;
  await t.startWorker();
});

afterEach(async () => {
  await t.close();
});

async function completed(jobId: string): Promise<RunJobResult> {
  const job = await completedJob(t.queue, jobId, 'the reconcile to complete');
  const result: RunJobResult = job.returnvalue;
  return result;
}

function seed(externalId: string, displayName: string): string {
  const org = t.emulator.store.create({
    display_name: displayName,
    external_id: externalId,
    metadata: { billing_plan: 'pro', note: 'kept' },
  });
  if (!('id' in org)) throw new Error('seeding the emulator failed');
  return org.id;
}

describe('reconcile jobs', () => {
  it('applies a whole account from the payload', async () => {
    const { jobId } = await t.producer().enqueue('reconcile', {
      account: { account_id: 'C1', region: 'us-east', display_name: 'Acme', billing_plan: 'pro' },
      trigger: 'webhook',
    });
    const result = await completed(jobId);
    expect(result.summary).toMatchObject({ accounts: 1, create: 1 });
    expect(t.emulator.store.getByExternalId('us-east-C1')).toMatchObject({
      display_name: 'Acme',
      metadata: { billing_plan: 'pro' },
    });
  });

  it('reads the rest of an account from the host source when the payload names only its ID', async () => {
    const { jobId } = await t
      .producer()
      .enqueue('reconcile', { account: { account_id: 'C9', region: 'us-east' }, trigger: 'webhook' });
    await completed(jobId);
    expect(t.emulator.store.getByExternalId('us-east-C9')?.display_name).toBe('From the host');
    expect((await t.history.list())[0]).toMatchObject({ kind: 'reconcile', trigger: 'webhook', result: 'ok' });
  });

  it('restores an organization edited out of band, found by its ID, keeping keys orgsync does not own', async () => {
    const orgId = seed('us-east-C5', 'Renamed by someone');
    const result = await completed((await t.producer().enqueue('reconcile', { org_id: orgId })).jobId);
    expect(result.summary).toMatchObject({ update: 1 });
    expect(t.emulator.store.get(orgId)).toMatchObject({
      display_name: 'Five Inc',
      metadata: { billing_plan: 'pro', note: 'kept' },
    });
  });

  it('reports the organization of an account the host source no longer has as an orphan, and deletes nothing', async () => {
    const orgId = seed('us-east-C6', 'Gone Ltd');
    const byExternalId = await completed(
      (await t.producer().enqueue('reconcile', { external_id: 'us-east-C6' })).jobId,
    );
    const deleted = await completed(
      (await t.producer().enqueue('reconcile', { account: { account_id: 'C6', region: 'us-east' }, deleted: true }))
        .jobId,
    );
    for (const result of [byExternalId, deleted]) {
      expect(result.summary).toMatchObject({ orphan: 1, delete: 0 });
      const report = (await t.history.get(result.run_id))?.report;
      expect(report?.items).toEqual([
        expect.objectContaining({ action: 'orphan', external_id: 'us-east-C6', org_id: orgId }),
      ]);
    }
    expect(t.emulator.store.get(orgId)).toBeDefined();
  });
});
