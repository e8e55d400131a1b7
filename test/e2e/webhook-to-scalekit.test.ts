import { beforeEach, describe, expect, it } from 'vitest';
import { queueKeyPrefix } from '../../src/store/redis-connections.js';
import { createRunHistory } from '../../src/store/run-history.js';
import { pollUntil } from '../integration/queue-helpers.js';
import { useWebhookStack } from '../helpers/webhook-stack.js';

/** The host system's accounts, as the worker's ORGSYNC_SOURCE. */
const HOST_CSV =
  'account_id,region,display_name,billing_plan\nCUST-1,us-east,Acme Renamed,pro\nCUST-2,us-east,Globex,free\n';

const stack = useWebhookStack({
  hostCsv: HOST_CSV,
  clientId: 'e2e-id',
  clientSecret: 'e2e-secret',
  seed: {
    organizations: [
      { display_name: 'Acme', external_id: 'us-east-CUST-1', metadata: { billing_plan: 'free', crm_owner: 'kim' } },
      { display_name: 'Globex', external_id: 'us-east-CUST-2', metadata: { billing_plan: 'free' } },
    ],
  },
});

beforeEach(async () => {
  await stack.startWorker();
});

const now = () => new Date().toISOString();

describe('a signed webhook, through the queue and a worker, to Scalekit', () => {
  it('creates the organization of a whole account carried by account.upserted', async () => {
    const { status } = await stack.deliver('/webhooks/accounts', {
      type: 'account.upserted',
      occurred_at: now(),
      account: {
        account_id: 'CUST-3',
        region: 'eu-west',
        display_name: 'Initech',
        billing_plan: 'enterprise',
        invoice_email: 'ap@initech.example',
      },
    });
    expect(status).toBe(202);
    const org = await pollUntil('the organization to be created', () =>
      stack.emulator.store.getByExternalId('eu-west-CUST-3'),
    );
    expect(org).toMatchObject({
      display_name: 'Initech',
      metadata: { billing_plan: 'enterprise', invoice_email: 'ap@initech.example' },
    });
  });

  it('reads the account from the host source when account.upserted carries only its ID and region', async () => {
    expect(
      (
        await stack.deliver('/webhooks/accounts', {
          type: 'account.upserted',
          occurred_at: now(),
          account: { account_id: 'CUST-1', region: 'us-east' },
        })
      ).status,
    ).toBe(202);
    const org = await pollUntil('the rename', () => {
      const current = stack.emulator.store.getByExternalId('us-east-CUST-1');
      return current?.display_name === 'Acme Renamed' ? current : undefined;
    });
    // Owned keys follow the host system; keys someone else put there stay.
    expect(org.metadata).toEqual({ billing_plan: 'pro', crm_owner: 'kim' });
  });

  it('restores what the host system says after an out-of-band edit in Scalekit', async () => {
    const org = stack.emulator.store.getByExternalId('us-east-CUST-2');
    if (!org) throw new Error('seed missing');
    stack.emulator.store.update(org.id, { display_name: 'Edited by hand' });
    const edited = stack.emulator.store.get(org.id);
    const { status } = await stack.deliver('/webhooks/scalekit', {
      spec_version: '1',
      id: 'evt_e2e',
      type: 'organization.updated',
      occurred_at: now(),
      environment_id: 'env_e2e',
      organization_id: org.id,
      object: 'Organization',
      data: edited,
    });
    expect(status).toBe(202);
    await pollUntil(
      'the display name to be restored',
      () => stack.emulator.store.get(org.id)?.display_name === 'Globex',
    );
  });

  it('reports the organization of a deleted account as an orphan and deletes nothing', async () => {
    const { json } = await stack.deliver('/webhooks/accounts', {
      type: 'account.deleted',
      occurred_at: now(),
      account: { account_id: 'CUST-2', region: 'us-east' },
    });
    const history = createRunHistory(stack.redis, { keyPrefix: queueKeyPrefix(stack.queueName), limit: 10 });
    const run = await pollUntil('the run to be recorded', async () =>
      (await history.list()).find((r) => r.job_id === json.job_id),
    );
    expect(run).toMatchObject({ kind: 'reconcile', trigger: 'webhook', counts: { orphan: 1, delete: 0 } });
    expect(stack.emulator.store.getByExternalId('us-east-CUST-2')).toBeDefined();
  });

  it('ignores an edit of an organization orgsync does not manage', async () => {
    const { status, json } = await stack.deliver('/webhooks/scalekit', {
      spec_version: '1',
      id: 'evt_other',
      type: 'organization.updated',
      occurred_at: now(),
      environment_id: 'env_e2e',
      organization_id: 'org_x',
      object: 'Organization',
      data: { id: 'org_x', display_name: 'Not ours', external_id: 'legacy-42' },
    });
    expect(status).toBe(200);
    expect(json.ignored).toBe(true);
    expect(stack.emulator.counters().writes).toEqual({ create: 0, update: 0, delete: 0 });
    expect(await stack.queue.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed')).toBe(0);
  });
});
