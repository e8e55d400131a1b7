import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunJobResult } from '../../src/queue/job-processor.js';
import { createQueueTestEnv, type QueueTestEnv } from './queue-env.js';
import { completedJob } from './queue-helpers.js';

let t: QueueTestEnv;

beforeEach(async () => {
  t = await createQueueTestEnv();
  await t.startWorker();
});

afterEach(async () => {
  await t.close();
});

async function reconcile(
  account: { account_id: string; region: string } & Record<string, string | null>,
): Promise<RunJobResult> {
  const { jobId } = await t.producer().enqueue('reconcile', { account, trigger: 'webhook' });
  const job = await completedJob(t.queue, jobId, 'the reconcile to complete');
  const result: RunJobResult = job.returnvalue;
  return result;
}

describe('a pushed account carries only some owned fields (issue 10, item 1)', () => {
  it('leaves the keys of absent fields alone, and removes those sent as null or ""', async () => {
    t.emulator.store.create({
      display_name: 'Acme',
      external_id: 'us-east-C1',
      metadata: { billing_plan: 'pro', tax_id: 'T-1', invoice_email: 'ap@acme.example', note: 'kept' },
    });
    const partial = await reconcile({
      account_id: 'C1',
      region: 'us-east',
      display_name: 'Acme',
      billing_plan: 'team',
    });
    expect(partial.summary).toMatchObject({ update: 1, failed: 0 });
    expect(t.emulator.store.getByExternalId('us-east-C1')?.metadata).toEqual({
      billing_plan: 'team',
      tax_id: 'T-1',
      invoice_email: 'ap@acme.example',
      note: 'kept',
    });

    const removing = await reconcile({
      account_id: 'C1',
      region: 'us-east',
      display_name: 'Acme',
      tax_id: null,
      invoice_email: '',
    });
    expect(removing.summary).toMatchObject({ update: 1, failed: 0 });
    expect(t.emulator.store.getByExternalId('us-east-C1')?.metadata).toEqual({ billing_plan: 'team', note: 'kept' });
  });

  it('creates an organization with only the fields the delivery carried', async () => {
    await reconcile({ account_id: 'C2', region: 'us-east', display_name: 'Beta', billing_plan: 'pro', tax_id: null });
    expect(t.emulator.store.getByExternalId('us-east-C2')?.metadata).toEqual({ billing_plan: 'pro' });
  });
});
