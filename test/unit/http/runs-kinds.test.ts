import { afterEach, describe, expect, it } from 'vitest';
import { RUN_KINDS } from '../../../src/store/run-history.js';
import { sampleReport, staticHistory, summaryOf } from './run-fixtures.js';
import { buildTestServer, type TestServer } from './server-fixture.js';

const credentials = { user: 'admin', password: 's3cret-pass' };
const headers = {
  authorization: `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`,
};
let server: TestServer | undefined;

afterEach(async () => {
  await server?.app.close();
  server = undefined;
});

async function withKinds(): Promise<TestServer> {
  const report = sampleReport('n-0');
  const nightly = Array.from({ length: 33 }, (_, i) => ({
    summary: summaryOf(report, { run_id: `n-${i}`, kind: 'nightly-sync' }),
    report,
  }));
  const reconcile = [
    { summary: summaryOf(report, { run_id: 'r-1', kind: 'reconcile', trigger: 'webhook' }), report },
    {
      summary: summaryOf(report, { run_id: 'r-2', kind: 'reconcile', result: 'error', counts: null }),
      report: null,
    },
  ];
  return buildTestServer({
    admin: { credentials, queues: [], runHistory: staticHistory([...reconcile, ...nightly]) },
  });
}

describe('the runs page, per kind', () => {
  it('shows one section per kind that has runs, each with a chart of its last 30 runs and every run kept', async () => {
    server = await withKinds();
    const { statusCode, body } = await server.app.inject({ url: '/runs', headers });
    expect(statusCode).toBe(200);
    const sections = [...body.matchAll(/<section class="kind" id="kind-([a-z-]+)">/g)].map((m) => m[1]);
    expect(sections).toEqual(['nightly-sync', 'reconcile']);
    const nightlyChart = body.slice(body.indexOf('data-kind="nightly-sync"'), body.indexOf('data-kind="reconcile"'));
    expect(nightlyChart.match(/<g class="bar/g)).toHaveLength(30);
    const reconcileChart = body.slice(body.indexOf('data-kind="reconcile"'));
    expect(reconcileChart.slice(0, reconcileChart.indexOf('</svg>')).match(/<g class="bar/g)).toHaveLength(2);
    expect(body).toContain('<g class="bar error"><title>run r-2');
    expect(body).toMatch(/role="img" aria-label="nightly-sync: items per run for the last 30 runs/);
    expect(body).toContain('failed + invalid</li>');
    expect(body.match(/href="\/runs\/n-\d+"/g)).toHaveLength(33);
    expect(body).not.toContain('<script');
  });

  it('filters by ?kind= and refuses an unknown kind with a 400 that names the kinds', async () => {
    server = await withKinds();
    const only = await server.app.inject({ url: '/runs?kind=reconcile', headers });
    expect(only.statusCode).toBe(200);
    expect(only.body).toContain('id="kind-reconcile"');
    expect(only.body).not.toContain('id="kind-nightly-sync"');
    expect(only.body).toContain('<title>Runs: reconcile · orgsync</title>');

    const bad = await server.app.inject({ url: '/runs?kind=nightly', headers });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({
      error: {
        code: 'bad_request',
        field: 'kind',
        message: `unknown run kind "nightly"; expected one of ${RUN_KINDS.join(', ')}`,
      },
    });
    const twice = await server.app.inject({ url: '/runs?kind=reconcile&kind=retry', headers });
    expect(twice.statusCode).toBe(400);
  });
});
