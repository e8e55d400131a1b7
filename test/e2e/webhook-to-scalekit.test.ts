import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, SCALEKIT_SETTINGS } from '../../src/config.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { startHttpService, type HttpService } from '../../src/app/http-service.js';
import { queueKeyPrefix } from '../../src/store/redis-connections.js';
import { rateBudgetKeys } from '../../src/store/redis-rate-budget.js';
import { createRunHistory } from '../../src/store/run-history.js';
import type { QueueWorker } from '../../src/queue/worker.js';
import { startWorker } from '../../src/app/worker.js';
import { deleteKeys, pollUntil, REDIS_URL, testName, testRedis } from '../integration/queue-helpers.js';
import { ACCOUNTS_SECRET, SCALEKIT_SECRET, signedHeaders } from '../unit/http/server-fixture.js';

/** The host system's accounts, as the worker's ORGSYNC_SOURCE. */
const HOST_CSV =
  'account_id,region,display_name,billing_plan\nCUST-1,us-east,Acme Renamed,pro\nCUST-2,us-east,Globex,free\n';

let dir: string;
let emulator: RunningEmulator;
let service: HttpService;
let worker: QueueWorker;
let redis: Redis;
let queueName: string;

beforeEach(async () => {
  queueName = testName();
  dir = await mkdtemp(join(tmpdir(), 'orgsync-e2e-'));
  const sourcePath = join(dir, 'accounts.csv');
  await writeFile(sourcePath, HOST_CSV, 'utf8');
  emulator = await startEmulator({
    clientId: 'e2e-id',
    clientSecret: 'e2e-secret',
    seed: {
      organizations: [
        { display_name: 'Acme', external_id: 'us-east-CUST-1', metadata: { billing_plan: 'free', crm_owner: 'kim' } },
        { display_name: 'Globex', external_id: 'us-east-CUST-2', metadata: { billing_plan: 'free' } },
      ],
    },
  });
  const config = loadConfig({
    require: SCALEKIT_SETTINGS,
    env: {
      SCALEKIT_ENVIRONMENT_URL: emulator.url,
      SCALEKIT_CLIENT_ID: 'e2e-id',
      SCALEKIT_CLIENT_SECRET: 'e2e-secret',
      REDIS_URL,
      ORGSYNC_SOURCE: `csv:${sourcePath}`,
      ORGSYNC_RATE_LIMIT: '200',
      ORGSYNC_WEBHOOK_SECRET: ACCOUNTS_SECRET,
      SCALEKIT_WEBHOOK_SECRET: SCALEKIT_SECRET,
      ORGSYNC_HTTP_PORT: '0',
    },
  });
  const logger = pino({ level: 'silent' });
  worker = await startWorker({ config, logger, queueName, schedule: false });
  service = await startHttpService({ config, logger, queueName });
  redis = testRedis();
});

afterEach(async () => {
  await service.close();
  await worker.close({ deadlineMs: 5_000 });
  const queue = new Queue(queueName, { connection: redis });
  await queue.obliterate({ force: true });
  await queue.close();
  await deleteKeys(redis, queueKeyPrefix(queueName));
  const rate = rateBudgetKeys(emulator.url);
  await redis.del(rate.tat, rate.pause);
  await emulator.close();
  await redis.quit();
  await rm(dir, { recursive: true, force: true });
});

async function deliver(
  path: '/webhooks/accounts' | '/webhooks/scalekit',
  event: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const body = JSON.stringify(event);
  const secret = path === '/webhooks/accounts' ? ACCOUNTS_SECRET : SCALEKIT_SECRET;
  const response = await fetch(`${service.url}${path}`, { method: 'POST', headers: signedHeaders(secret, body), body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const now = () => new Date().toISOString();

describe('a signed webhook, through the queue and a worker, to Scalekit', () => {
  it('creates the organization of a whole account carried by account.upserted', async () => {
    const { status } = await deliver('/webhooks/accounts', {
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
      emulator.store.getByExternalId('eu-west-CUST-3'),
    );
    expect(org).toMatchObject({
      display_name: 'Initech',
      metadata: { billing_plan: 'enterprise', invoice_email: 'ap@initech.example' },
    });
  });

  it('reads the account from the host source when account.upserted carries only its ID and region', async () => {
    expect(
      (
        await deliver('/webhooks/accounts', {
          type: 'account.upserted',
          occurred_at: now(),
          account: { account_id: 'CUST-1', region: 'us-east' },
        })
      ).status,
    ).toBe(202);
    const org = await pollUntil('the rename', () => {
      const current = emulator.store.getByExternalId('us-east-CUST-1');
      return current?.display_name === 'Acme Renamed' ? current : undefined;
    });
    // Owned keys follow the host system; keys someone else put there stay.
    expect(org.metadata).toEqual({ billing_plan: 'pro', crm_owner: 'kim' });
  });

  it('restores what the host system says after an out-of-band edit in Scalekit', async () => {
    const org = emulator.store.getByExternalId('us-east-CUST-2');
    if (!org) throw new Error('seed missing');
    emulator.store.update(org.id, { display_name: 'Edited by hand' });
    const edited = emulator.store.get(org.id);
    const { status } = await deliver('/webhooks/scalekit', {
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
    await pollUntil('the display name to be restored', () => emulator.store.get(org.id)?.display_name === 'Globex');
  });

  it('reports the organization of a deleted account as an orphan and deletes nothing', async () => {
    const { json } = await deliver('/webhooks/accounts', {
      type: 'account.deleted',
      occurred_at: now(),
      account: { account_id: 'CUST-2', region: 'us-east' },
    });
    const history = createRunHistory(redis, { keyPrefix: queueKeyPrefix(queueName), limit: 10 });
    const run = await pollUntil('the run to be recorded', async () =>
      (await history.list()).find((r) => r.job_id === json.job_id),
    );
    expect(run).toMatchObject({ kind: 'reconcile', trigger: 'webhook', counts: { orphan: 1, delete: 0 } });
    expect(emulator.store.getByExternalId('us-east-CUST-2')).toBeDefined();
  });

  it('ignores an edit of an organization orgsync does not manage', async () => {
    const { status, json } = await deliver('/webhooks/scalekit', {
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
    expect(emulator.counters().writes).toEqual({ create: 0, update: 0, delete: 0 });
    const queue = new Queue(queueName, { connection: redis });
    try {
      expect(await queue.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed')).toBe(0);
    } finally {
      await queue.close();
    }
  });
});
