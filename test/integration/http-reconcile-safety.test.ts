import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as pace } from 'node:timers/promises';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, SCALEKIT_SETTINGS, type ScalekitConfig } from '../../src/config.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { startHttpService, type HttpService } from '../../src/app/http-service.js';
import { queueKeyPrefix } from '../../src/store/redis-connections.js';
import { rateBudgetKeys } from '../../src/store/redis-rate-budget.js';
import { createRunHistory, type RunHistory } from '../../src/store/run-history.js';
import type { QueueWorker } from '../../src/queue/worker.js';
import { startWorker as startWorkerProcess } from '../../src/app/worker.js';
import { ACCOUNTS_SECRET, SCALEKIT_SECRET, signedHeaders } from '../unit/http/server-fixture.js';
import { completedJob, deleteKeys, pollUntil, REDIS_URL, testName, testRedis } from './queue-helpers.js';

// Items 3, 4 and 7 of issue 10, end to end: signed deliveries to `orgsync serve`, a worker, the
// emulator as Scalekit and a CSV as the host source. ORGSYNC_RECONCILE_DELAY_MS keeps its default.

const HOST_CSV = 'account_id,region,display_name,billing_plan\nCUST-1,us-east,Acme,pro\nCUST-2,us-east,Globex,free\n';

let dir: string;
let emulator: RunningEmulator;
let config: ScalekitConfig;
let service: HttpService;
let workers: QueueWorker[];
let redis: Redis;
let queue: Queue;
let history: RunHistory;
let queueName: string;

beforeEach(async () => {
  queueName = testName();
  dir = await mkdtemp(join(tmpdir(), 'orgsync-safety-'));
  const sourcePath = join(dir, 'accounts.csv');
  await writeFile(sourcePath, HOST_CSV, 'utf8');
  emulator = await startEmulator({
    clientId: 'safety-id',
    clientSecret: 'safety-secret',
    seed: {
      organizations: [
        { display_name: 'Acme', external_id: 'us-east-CUST-1', metadata: { billing_plan: 'pro' } },
        { display_name: 'Globex', external_id: 'us-east-CUST-2', metadata: { billing_plan: 'free', crm: 'kim' } },
      ],
    },
  });
  config = loadConfig({
    require: SCALEKIT_SETTINGS,
    env: {
      SCALEKIT_ENVIRONMENT_URL: emulator.url,
      SCALEKIT_CLIENT_ID: 'safety-id',
      SCALEKIT_CLIENT_SECRET: 'safety-secret',
      REDIS_URL,
      ORGSYNC_SOURCE: `csv:${sourcePath}`,
      ORGSYNC_RATE_LIMIT: '200',
      ORGSYNC_WEBHOOK_SECRET: ACCOUNTS_SECRET,
      SCALEKIT_WEBHOOK_SECRET: SCALEKIT_SECRET,
      ORGSYNC_HTTP_PORT: '0',
    },
  });
  workers = [];
  service = await startHttpService({ config, logger: pino({ level: 'silent' }), queueName });
  redis = testRedis();
  queue = new Queue(queueName, { connection: redis });
  history = createRunHistory(redis, { keyPrefix: queueKeyPrefix(queueName), limit: 100 });
});

afterEach(async () => {
  await service.close();
  await Promise.all(workers.map((w) => w.close({ deadlineMs: 5_000 })));
  await queue.obliterate({ force: true });
  await queue.close();
  await deleteKeys(redis, queueKeyPrefix(queueName));
  const rate = rateBudgetKeys(emulator.url);
  await redis.del(rate.tat, rate.pause);
  await emulator.close();
  await redis.quit();
  await rm(dir, { recursive: true, force: true });
});

async function startWorker(): Promise<void> {
  workers.push(await startWorkerProcess({ config, logger: pino({ level: 'silent' }), queueName, schedule: false }));
}

async function deliver(
  path: '/webhooks/accounts' | '/webhooks/scalekit',
  event: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const body = JSON.stringify(event);
  const secret = path === '/webhooks/accounts' ? ACCOUNTS_SECRET : SCALEKIT_SECRET;
  const response = await fetch(`${service.url}${path}`, { method: 'POST', headers: signedHeaders(secret, body), body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

function organizationEvent(type: string, externalId: string): Record<string, unknown> {
  const org = emulator.store.getByExternalId(externalId);
  if (!org) throw new Error(`no organization ${externalId}`);
  return {
    spec_version: '1',
    id: `evt_${Math.random().toString(36).slice(2)}`,
    type,
    occurred_at: new Date().toISOString(),
    environment_id: 'env_safety',
    organization_id: org.id,
    object: 'Organization',
    data: emulator.store.get(org.id),
  };
}

const upsert = (account: Record<string, string>) => ({
  type: 'account.upserted',
  occurred_at: new Date().toISOString(),
  account: { region: 'us-east', ...account },
});

describe('a pushed account update is never lost to a waiting reconcile', () => {
  it('applies a rename pushed while a reconcile queued by organization.updated waits', async () => {
    const org = emulator.store.getByExternalId('us-east-CUST-1');
    if (!org) throw new Error('seed missing');
    emulator.store.update(org.id, { display_name: 'Edited in the dashboard' });
    const queued = await deliver('/webhooks/scalekit', organizationEvent('organization.updated', 'us-east-CUST-1'));
    expect(queued.status).toBe(202);
    const renamed = await deliver(
      '/webhooks/accounts',
      upsert({ account_id: 'CUST-1', display_name: 'Acme Renamed', billing_plan: 'pro' }),
    );
    expect(renamed).toEqual({ status: 202, json: { job_id: queued.json.job_id, deduplicated: true } });

    await startWorker();
    await completedJob(queue, String(queued.json.job_id), 'the reconcile');
    expect(emulator.store.get(org.id)?.display_name).toBe('Acme Renamed');
  });
});

describe('a burst of deliveries for one account', () => {
  it('costs a handful of writes, and the organization ends with the newest delivery', async () => {
    await startWorker();
    // 40 deliveries paced over about 3 seconds, as a host system's burst arrives; nothing waits on a
    // result by time: the end state is polled for below.
    const answers: Record<string, unknown>[] = [];
    for (let i = 1; i <= 40; i += 1) {
      const { status, json } = await deliver(
        '/webhooks/accounts',
        upsert({ account_id: 'CUST-9', display_name: `Burst ${i}`, billing_plan: i % 2 === 0 ? 'pro' : 'team' }),
      );
      expect(status).toBe(202);
      answers.push(json);
      await pace(75);
    }
    await pollUntil('the newest delivery to reach Scalekit', () => {
      const org = emulator.store.getByExternalId('us-east-CUST-9');
      return org?.display_name === 'Burst 40' && org.metadata.billing_plan === 'pro';
    });
    await pollUntil(
      'the queue to drain',
      async () => (await queue.getJobCountByTypes('waiting', 'delayed', 'active')) === 0,
    );
    const { create, update } = emulator.counters().writes;
    expect(create + update).toBeLessThanOrEqual(3);
    // Every answer names a job that ran; deduplicated ones name the job they joined.
    for (const answer of answers) expect(['completed']).toContain(await queue.getJobState(String(answer.job_id)));
    expect(answers.filter((a) => a.deduplicated === true).length).toBeGreaterThanOrEqual(37);
  });
});

describe('an echo of orgsync’s own write', () => {
  it('costs no write and no run, and is counted at /metrics', async () => {
    await startWorker();
    const { status, json } = await deliver(
      '/webhooks/scalekit',
      organizationEvent('organization.updated', 'us-east-CUST-2'),
    );
    expect(status).toBe(202);
    await completedJob(queue, String(json.job_id), 'the echo reconcile');
    expect(emulator.counters().writes).toEqual({ create: 0, update: 0, delete: 0 });
    expect(await history.list()).toEqual([]);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toContain('orgsync_reconcile_echoes_total 1');
  });

  it('does not hide a real edit that arrives after the echo while the reconcile waits', async () => {
    const echo = await deliver('/webhooks/scalekit', organizationEvent('organization.updated', 'us-east-CUST-2'));
    const org = emulator.store.getByExternalId('us-east-CUST-2');
    if (!org) throw new Error('seed missing');
    emulator.store.update(org.id, { display_name: 'Edited in the dashboard' });
    const edit = await deliver('/webhooks/scalekit', organizationEvent('organization.updated', 'us-east-CUST-2'));
    expect(edit.json.job_id).toBe(echo.json.job_id);

    await startWorker();
    await completedJob(queue, String(echo.json.job_id), 'the reconcile');
    expect(emulator.store.get(org.id)).toMatchObject({ display_name: 'Globex', metadata: { crm: 'kim' } });
    expect(await history.list()).toHaveLength(1);
  });
});
