import { describe, expect, it } from 'vitest';
import { createHttpMetrics } from '../../../src/http/metrics.js';
import { readRunStats } from '../../../src/http/run-history-reader.js';
import { sampleReport, staticHistory, summaryOf } from './run-fixtures.js';
import { buildTestServer } from './server-fixture.js';

describe('createHttpMetrics', () => {
  it('exposes Scalekit requests by method, route template and status, with durations in seconds', async () => {
    const metrics = createHttpMetrics();
    metrics.observeScalekitRequest({
      method: 'GET',
      routeTemplate: '/api/v1/organizations/{id}',
      status: 200,
      durationMs: 120,
    });
    metrics.observeScalekitRequest({
      method: 'GET',
      routeTemplate: '/api/v1/organizations/{id}',
      status: 429,
      durationMs: 5,
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'orgsync_scalekit_requests_total{method="GET",route="/api/v1/organizations/{id}",status="200"} 1',
    );
    expect(text).toContain(
      'orgsync_scalekit_requests_total{method="GET",route="/api/v1/organizations/{id}",status="429"} 1',
    );
    expect(text).toContain(
      'orgsync_scalekit_request_duration_seconds_sum{method="GET",route="/api/v1/organizations/{id}"} 0.125',
    );
  });

  it('reads queue counts, rate budget waits and run stats on every scrape', async () => {
    let waitedMs = 1500;
    const report = sampleReport('run-2');
    const history = staticHistory([
      { summary: summaryOf(report), report },
      { summary: summaryOf(report, { run_id: 'run-1', kind: 'reconcile', result: 'ok' }), report },
      { summary: summaryOf(report, { run_id: 'run-0', kind: 'reconcile', result: 'ok' }), report },
    ]);
    const metrics = createHttpMetrics({
      queueJobCounts: async () => ({ waiting: 3, active: 1, failed: 0 }),
      rateBudgetWaitedMs: () => waitedMs,
      runStats: () => readRunStats(history),
    });
    let text = await metrics.registry.metrics();
    expect(text).toContain('orgsync_queue_jobs{state="waiting"} 3');
    expect(text).toContain('orgsync_queue_jobs{state="active"} 1');
    expect(text).toContain('orgsync_rate_budget_wait_seconds_total 1.5');
    expect(text).toContain('orgsync_runs_total{kind="nightly-sync",result="failed"} 1');
    expect(text).toContain('orgsync_runs_total{kind="reconcile",result="ok"} 2');
    expect(text).toContain('orgsync_drift_items{kind="nightly-sync",action="update"} 1');
    expect(text).toContain('orgsync_drift_items{kind="nightly-sync",action="delete"} 0');
    waitedMs = 4000;
    text = await metrics.registry.metrics();
    expect(text).toContain('orgsync_rate_budget_wait_seconds_total 4');
  });

  it("exposes every worker's Scalekit calls as they flushed them to Redis", async () => {
    const RedisMock = (await import('ioredis-mock')).default;
    const { createCallCounter, readCallCounts } = await import('../../../src/store/call-counter.js');
    const redis = new RedisMock();
    const workerA = createCallCounter(redis, { keyPrefix: 't:', flushIntervalMs: 60_000 });
    const workerB = createCallCounter(redis, { keyPrefix: 't:', flushIntervalMs: 60_000 });
    workerA.observe({ method: 'POST', routeTemplate: '/api/v1/organizations', status: 201, durationMs: 30 });
    workerA.observe({ method: 'POST', routeTemplate: '/api/v1/organizations', status: 201, durationMs: 20 });
    workerB.observe({ method: 'POST', routeTemplate: '/api/v1/organizations', status: 201, durationMs: 50 });
    workerB.observe({ method: 'GET', routeTemplate: '/api/v1/organizations', status: 429, durationMs: 5 });
    await workerA.close();
    await workerB.flush();
    expect(await readCallCounts(redis, 't:')).toEqual(
      expect.arrayContaining([
        { method: 'POST', route: '/api/v1/organizations', status: '201', count: 3, seconds: 0.1 },
        { method: 'GET', route: '/api/v1/organizations', status: '429', count: 1, seconds: 0.005 },
      ]),
    );
    const metrics = createHttpMetrics({ jobScalekitCalls: () => readCallCounts(redis, 't:') });
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'orgsync_jobs_scalekit_requests_total{method="POST",route="/api/v1/organizations",status="201"} 3',
    );
    expect(text).toContain(
      'orgsync_jobs_scalekit_request_seconds_total{method="GET",route="/api/v1/organizations"} 0.005',
    );
    await workerB.close();
    redis.disconnect();
  });

  it("counts the reconciles every worker skipped as echoes of orgsync's own writes", async () => {
    const RedisMock = (await import('ioredis-mock')).default;
    const { createEchoCounter, readEchoCount } = await import('../../../src/store/reconcile-echoes.js');
    const redis = new RedisMock();
    const metrics = createHttpMetrics({ reconcileEchoes: () => readEchoCount(redis, 'e:') });
    expect(await metrics.registry.metrics()).toContain('orgsync_reconcile_echoes_total 0');
    await createEchoCounter(redis, { keyPrefix: 'e:' }).count();
    await createEchoCounter(redis, { keyPrefix: 'e:' }).count();
    const text = await metrics.registry.metrics();
    expect(text).toContain('# TYPE orgsync_reconcile_echoes_total counter');
    expect(text).toContain('orgsync_reconcile_echoes_total 2');
    redis.disconnect();
  });

  it('still answers when a source fails during a scrape', async () => {
    const metrics = createHttpMetrics({
      queueJobCounts: () => Promise.reject(new Error('redis down')),
      runStats: () => Promise.reject(new Error('redis down')),
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain('# TYPE orgsync_queue_jobs gauge');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('keeps its own registry: two instances do not clash', async () => {
    const a = createHttpMetrics();
    const b = createHttpMetrics();
    a.countWebhookDelivery('accounts', 'accepted');
    expect(await b.registry.metrics()).not.toContain('outcome="accepted"');
  });

  it('is served at GET /metrics in the Prometheus text format', async () => {
    const { app } = await buildTestServer();
    try {
      const response = await app.inject({ url: '/metrics' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain; version=0.0.4/);
      expect(response.body).toContain('# TYPE orgsync_webhook_deliveries_total counter');
    } finally {
      await app.close();
    }
  });
});
