import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server.js';
import type { HttpService } from '../../src/app/http-service.js';
import { createRunHistory } from '../../src/store/run-history.js';
import { ACCOUNTS_SECRET, SCALEKIT_SECRET, signedHeaders } from '../unit/http/server-fixture.js';
import { sampleReport } from '../unit/http/run-fixtures.js';
import { startServiceStack, type ServiceStack } from '../helpers/service-stack.js';

const ADMIN = { user: 'ops', password: 'correct horse battery staple' };
const basic = `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`;

let stack: ServiceStack;
let emulator: RunningEmulator;
let service: HttpService;
let redis: Redis;
let queue: Queue;
let queueName: string;
let keyPrefix: string;

beforeEach(async () => {
  stack = await startServiceStack({
    env: {
      ORGSYNC_WEBHOOK_SECRET: ACCOUNTS_SECRET,
      SCALEKIT_WEBHOOK_SECRET: SCALEKIT_SECRET,
      ORGSYNC_ADMIN_USER: ADMIN.user,
      ORGSYNC_ADMIN_PASSWORD: ADMIN.password,
    },
    readiness: { cacheMs: 0, timeoutMs: 1_000 },
  });
  ({ emulator, service, redis, queueName, keyPrefix } = stack);
  queue = new Queue(queueName, { connection: redis });
});

afterEach(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  await stack.close();
});

function accountEvent(accountId: string): string {
  return JSON.stringify({
    type: 'account.upserted',
    occurred_at: new Date().toISOString(),
    account: { account_id: accountId, region: 'us-east' },
  });
}

async function post(
  path: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${service.url}${path}`, { method: 'POST', headers, body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('orgsync serve over real Redis and the emulator', () => {
  it('is alive, and ready while Redis and Scalekit answer', async () => {
    expect(await (await fetch(`${service.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${service.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { redis: 'ok', scalekit: 'ok' } });
  });

  it('is not ready, naming Scalekit, once the Scalekit API is gone', async () => {
    await emulator.close();
    const response = await fetch(`${service.url}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as {
      error: { code: string; message: string };
      checks: Record<string, string>;
    };
    expect(body.error.code).toBe('not_ready');
    expect(body.error.message).toMatch(/^not ready: scalekit/);
    expect(body.checks.redis).toBe('ok');
  });

  it('queues a reconcile for a signed webhook, deduplicates the same account, and ignores a replay', async () => {
    const body = accountEvent('CUST-1');
    const headers = signedHeaders(ACCOUNTS_SECRET, body, { id: 'msg_int_1' });
    const first = await post('/webhooks/accounts', body, headers);
    expect(first.status).toBe(202);
    const job = await queue.getJob(String(first.json.job_id));
    expect(job?.name).toBe('reconcile');
    expect(job?.data).toEqual({
      account: { account_id: 'CUST-1', region: 'us-east' },
      occurred_at: expect.any(String),
      trigger: 'webhook',
    });

    expect(await post('/webhooks/accounts', body, headers)).toEqual({ status: 200, json: { replayed: true } });
    // Remembered until the timestamp (now) can no longer verify (+300 s), plus a 60 s margin.
    const ttlSeconds = await redis.ttl(`${keyPrefix}webhook-id:accounts:msg_int_1`);
    expect(ttlSeconds).toBeGreaterThan(350);
    expect(ttlSeconds).toBeLessThanOrEqual(361);

    const again = await post('/webhooks/accounts', body, signedHeaders(ACCOUNTS_SECRET, body, { id: 'msg_int_2' }));
    expect(again).toEqual({ status: 202, json: { job_id: first.json.job_id, deduplicated: true } });
    expect(await queue.getJobCountByTypes('waiting', 'delayed')).toBe(1);
  });

  it('queues a reconcile by external ID for an out-of-band edit in Scalekit', async () => {
    const body = JSON.stringify({
      spec_version: '1',
      id: 'evt_1',
      type: 'organization.updated',
      occurred_at: new Date().toISOString(),
      environment_id: 'env_1',
      organization_id: 'org_1',
      object: 'Organization',
      data: { id: 'org_1', display_name: 'Edited by hand', external_id: 'eu-west-CUST-9', metadata: null },
    });
    const { status, json } = await post('/webhooks/scalekit', body, signedHeaders(SCALEKIT_SECRET, body));
    expect(status).toBe(202);
    expect((await queue.getJob(String(json.job_id)))?.data).toEqual({
      external_id: 'eu-west-CUST-9',
      observed: { id: 'org_1', display_name: 'Edited by hand', metadata: {}, occurred_at: expect.any(String) },
      trigger: 'webhook',
    });
  });

  it('answers 422, not 503, when the job schema refuses a verified payload, and queues nothing', async () => {
    const body = JSON.stringify({
      type: 'organization.updated',
      data: { id: 'org_1', external_id: `us-east-${'X'.repeat(300)}` },
    });
    const headers = signedHeaders(SCALEKIT_SECRET, body, { id: 'msg_schema' });
    const first = await post('/webhooks/scalekit', body, headers);
    expect(first.status).toBe(422);
    expect(first.json.error).toMatchObject({ code: 'validation_failed', field: 'data.external_id' });
    // Not taken for a replay either: the same delivery is refused the same way.
    expect((await post('/webhooks/scalekit', body, headers)).status).toBe(422);
    expect(await redis.exists(`${keyPrefix}webhook-id:scalekit:msg_schema`)).toBe(0);
    expect(await queue.getJobCountByTypes('waiting', 'delayed', 'prioritized')).toBe(0);
  });

  it('enqueues nothing for refused deliveries', async () => {
    const body = accountEvent('CUST-2');
    expect((await post('/webhooks/accounts', body, signedHeaders(SCALEKIT_SECRET, body))).status).toBe(401);
    expect((await post('/webhooks/accounts', '{', signedHeaders(ACCOUNTS_SECRET, '{'))).status).toBe(400);
    const big = JSON.stringify({ pad: 'x'.repeat(1_100_000) });
    expect((await post('/webhooks/accounts', big, signedHeaders(ACCOUNTS_SECRET, big))).status).toBe(413);
    expect(await queue.getJobCountByTypes('waiting', 'delayed', 'prioritized')).toBe(0);
  });

  it('exposes queue counts, webhook outcomes and its own Scalekit calls at /metrics', async () => {
    await fetch(`${service.url}/readyz`);
    const body = accountEvent('CUST-3');
    await post('/webhooks/accounts', body, signedHeaders(ACCOUNTS_SECRET, body));
    const text = await (await fetch(`${service.url}/metrics`)).text();
    expect(text).toContain('orgsync_queue_jobs{state="delayed"} 1'); // ORGSYNC_RECONCILE_DELAY_MS
    expect(text).toContain('orgsync_webhook_deliveries_total{route="accounts",outcome="accepted"} 1');
    expect(text).toMatch(
      /orgsync_scalekit_requests_total\{method="GET",route="\/api\/v1\/organizations",status="200"\} \d+/,
    );
    expect(text).toMatch(
      /orgsync_scalekit_request_duration_seconds_bucket\{le="0.1",method="GET",route="\/api\/v1\/organizations"\} \d+/,
    );
    expect(text).toContain('# TYPE orgsync_rate_budget_wait_seconds_total counter');
    expect(text).toContain('nodejs_heap_size_used_bytes');
  });

  it('shows the run history kept in Redis, behind the admin login', async () => {
    const history = createRunHistory(redis, { keyPrefix, limit: 10 });
    const report = sampleReport('run-int-1');
    await history.record({
      runId: 'run-int-1',
      kind: 'reconcile',
      trigger: 'webhook',
      startedAt: new Date(report.started_at),
      finishedAt: new Date(report.finished_at),
      report,
      exitCode: 1,
    });
    expect((await fetch(`${service.url}/runs`)).status).toBe(401);
    const page = await fetch(`${service.url}/runs`, { headers: { authorization: basic } });
    expect(await page.text()).toContain('href="/runs/run-int-1"');
    const csv = await fetch(`${service.url}/runs/run-int-1/results.csv`, { headers: { authorization: basic } });
    expect((await csv.text()).split('\n')[1]).toMatch(/^create,us-east-CUST-1,/);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toContain('orgsync_runs_total{kind="reconcile",result="failed"} 1');
    expect(metrics).toContain('orgsync_drift_items{kind="reconcile",action="create"} 1');
  });

  it('serves the bull-board dashboard read-only, behind the admin login', async () => {
    expect((await fetch(`${service.url}/admin/queues`)).status).toBe(401);
    const page = await fetch(`${service.url}/admin/queues`, { headers: { authorization: basic } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<title>orgsync queues</title>');
    // Its scripts and style sheet come through @fastify/static (whose content-disposition is pinned for Node 20).
    const assets = [...html.matchAll(/(?:src|href)="(static\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      const answer = await fetch(`${service.url}/admin/queues/${asset}`, { headers: { authorization: basic } });
      expect(answer.status, asset).toBe(200);
    }
    const api = await fetch(`${service.url}/admin/queues/api/queues?activeQueue=${queueName}`, {
      headers: { authorization: basic },
    });
    const json = (await api.json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    expect(json.queues).toEqual([expect.objectContaining({ name: queueName, readOnlyMode: true })]);
    expect(api.headers.get('cache-control')).toBe('no-store');
    // bull-board's own refusal, in the one error shape (its key kept for its page).
    const pause = await fetch(`${service.url}/admin/queues/api/queues/${queueName}/pause`, {
      method: 'PUT',
      headers: { authorization: basic },
    });
    expect(pause.status).toBe(405);
    expect(await pause.json()).toEqual({
      error: {
        code: 'method_not_allowed',
        message: expect.stringContaining('read-only'),
        key: 'ERRORS.QUEUE_READ_ONLY',
      },
    });
    expect(await queue.isPaused()).toBe(false);
  });

  it('stops accepting connections on close, and closing twice is harmless', async () => {
    const url = service.url;
    await Promise.all([service.close(), service.close()]);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
