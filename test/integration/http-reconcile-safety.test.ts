import { setTimeout as pace } from 'node:timers/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import { queueKeyPrefix } from '../../src/store/redis-connections.js';
import { createRunHistory, type RunHistory } from '../../src/store/run-history.js';
import { useWebhookStack } from '../helpers/webhook-stack.js';
import { completedJob, pollUntil } from './queue-helpers.js';

// Items 3, 4 and 7 of issue 10, end to end: signed deliveries to `orgsync serve`, a worker, the
// emulator as Scalekit and a CSV as the host source. ORGSYNC_RECONCILE_DELAY_MS keeps its default.

const HOST_CSV = 'account_id,region,display_name,billing_plan\nCUST-1,us-east,Acme,pro\nCUST-2,us-east,Globex,free\n';

const stack = useWebhookStack({
  hostCsv: HOST_CSV,
  clientId: 'safety-id',
  clientSecret: 'safety-secret',
  seed: {
    organizations: [
      { display_name: 'Acme', external_id: 'us-east-CUST-1', metadata: { billing_plan: 'pro' } },
      { display_name: 'Globex', external_id: 'us-east-CUST-2', metadata: { billing_plan: 'free', crm: 'kim' } },
    ],
  },
});
let history: RunHistory;

beforeEach(() => {
  history = createRunHistory(stack.redis, { keyPrefix: queueKeyPrefix(stack.queueName), limit: 100 });
});

function organizationEvent(type: string, externalId: string): Record<string, unknown> {
  const org = stack.emulator.store.getByExternalId(externalId);
  if (!org) throw new Error(`no organization ${externalId}`);
  return {
    spec_version: '1',
    id: `evt_${Math.random().toString(36).slice(2)}`,
    type,
    occurred_at: new Date().toISOString(),
    environment_id: 'env_safety',
    organization_id: org.id,
    object: 'Organization',
    data: stack.emulator.store.get(org.id),
  };
}

const upsert = (account: Record<string, string>) => ({
  type: 'account.upserted',
  occurred_at: new Date().toISOString(),
  account: { region: 'us-east', ...account },
});

describe('a pushed account update is never lost to a waiting reconcile', () => {
  it('applies a rename pushed while a reconcile queued by organization.updated waits', async () => {
    const org = stack.emulator.store.getByExternalId('us-east-CUST-1');
    if (!org) throw new Error('seed missing');
    stack.emulator.store.update(org.id, { display_name: 'Edited in the dashboard' });
    const queued = await stack.deliver(
      '/webhooks/scalekit',
      organizationEvent('organization.updated', 'us-east-CUST-1'),
    );
    expect(queued.status).toBe(202);
    const renamed = await stack.deliver(
      '/webhooks/accounts',
      upsert({ account_id: 'CUST-1', display_name: 'Acme Renamed', billing_plan: 'pro' }),
    );
    expect(renamed).toEqual({ status: 202, json: { job_id: queued.json.job_id, deduplicated: true } });

    await stack.startWorker();
    await completedJob(stack.queue, String(queued.json.job_id), 'the reconcile');
    expect(stack.emulator.store.get(org.id)?.display_name).toBe('Acme Renamed');
  });
});

describe('a burst of deliveries for one account', () => {
  it('costs a handful of writes, and the organization ends with the newest delivery', async () => {
    await stack.startWorker();
    // 40 deliveries paced over about 3 seconds, as a host system's burst arrives; nothing waits on a
    // result by time: the end state is polled for below.
    const answers: Record<string, unknown>[] = [];
    for (let i = 1; i <= 40; i += 1) {
      const { status, json } = await stack.deliver(
        '/webhooks/accounts',
        upsert({ account_id: 'CUST-9', display_name: `Burst ${i}`, billing_plan: i % 2 === 0 ? 'pro' : 'team' }),
      );
      expect(status).toBe(202);
      answers.push(json);
      await pace(75);
    }
    await pollUntil('the newest delivery to reach Scalekit', () => {
      const org = stack.emulator.store.getByExternalId('us-east-CUST-9');
      return org?.display_name === 'Burst 40' && org.metadata.billing_plan === 'pro';
    });
    await pollUntil(
      'the queue to drain',
      async () => (await stack.queue.getJobCountByTypes('waiting', 'delayed', 'active')) === 0,
    );
    const { create, update } = stack.emulator.counters().writes;
    expect(create + update).toBeLessThanOrEqual(3);
    // Every answer names a job that ran; deduplicated ones name the job they joined.
    for (const answer of answers) expect(['completed']).toContain(await stack.queue.getJobState(String(answer.job_id)));
    expect(answers.filter((a) => a.deduplicated === true).length).toBeGreaterThanOrEqual(37);
  });
});

describe('an echo of orgsync’s own write', () => {
  it('costs no write and no run, and is counted at /metrics', async () => {
    await stack.startWorker();
    const { status, json } = await stack.deliver(
      '/webhooks/scalekit',
      organizationEvent('organization.updated', 'us-east-CUST-2'),
    );
    expect(status).toBe(202);
    await completedJob(stack.queue, String(json.job_id), 'the echo reconcile');
    expect(stack.emulator.counters().writes).toEqual({ create: 0, update: 0, delete: 0 });
    expect(await history.list()).toEqual([]);
    const metrics = await (await fetch(`${stack.service.url}/metrics`)).text();
    expect(metrics).toContain('orgsync_reconcile_echoes_total 1');
  });

  it('does not hide a real edit that arrives after the echo while the reconcile waits', async () => {
    const echo = await stack.deliver('/webhooks/scalekit', organizationEvent('organization.updated', 'us-east-CUST-2'));
    const org = stack.emulator.store.getByExternalId('us-east-CUST-2');
    if (!org) throw new Error('seed missing');
    stack.emulator.store.update(org.id, { display_name: 'Edited in the dashboard' });
    const edit = await stack.deliver('/webhooks/scalekit', organizationEvent('organization.updated', 'us-east-CUST-2'));
    expect(edit.json.job_id).toBe(echo.json.job_id);

    await stack.startWorker();
    await completedJob(stack.queue, String(echo.json.job_id), 'the reconcile');
    expect(stack.emulator.store.get(org.id)).toMatchObject({ display_name: 'Globex', metadata: { crm: 'kim' } });
    expect(await history.list()).toHaveLength(1);
  });
});
