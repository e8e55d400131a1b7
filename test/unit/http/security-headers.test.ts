import { afterEach, describe, expect, it } from 'vitest';
import { sampleReport, staticHistory, summaryOf } from './run-fixtures.js';
import { ACCOUNTS_SECRET, buildTestServer, signedHeaders, type TestServer } from './server-fixture.js';

const credentials = { user: 'ops', password: 'pw' };
const basic = { authorization: `Basic ${Buffer.from('ops:pw').toString('base64')}` };
let server: TestServer | undefined;

afterEach(async () => {
  await server?.app.close();
  server = undefined;
});

async function withAdmin(): Promise<TestServer> {
  const report = sampleReport('run-1');
  return buildTestServer({
    admin: { credentials, queues: [], runHistory: staticHistory([{ summary: summaryOf(report), report }]) },
  });
}

const body = JSON.stringify({ type: 'account.deleted', occurred_at: '2026-05-01T12:00:00Z', account: {} });

describe('response headers', () => {
  it('send nosniff and frame protection on every response, errors and the dashboard included', async () => {
    server = await withAdmin();
    const requests = [
      { url: '/healthz' },
      { url: '/metrics' },
      { url: '/nope' },
      { url: '/healthz', method: 'DELETE' as const },
      { url: '/runs' },
      { url: '/runs', headers: basic },
      { url: '/runs/run-1', headers: basic },
      { url: '/admin/queues', headers: basic },
      { url: '/admin/queues/api/queues', headers: basic },
      { url: '/webhooks/accounts', method: 'POST' as const, payload: body },
      {
        url: '/webhooks/accounts',
        method: 'POST' as const,
        payload: body,
        headers: signedHeaders(ACCOUNTS_SECRET, body),
      },
    ];
    for (const request of requests) {
      const response = await server.app.inject(request);
      const where = `${request.method ?? 'GET'} ${request.url} (${response.statusCode})`;
      expect(response.headers['x-content-type-options'], where).toBe('nosniff');
      expect(response.headers['x-frame-options'], where).toBe('DENY');
      expect(response.headers['content-security-policy'], where).toMatch(/frame-ancestors 'none'/);
    }
  });

  it('keep the run pages, their downloads and the dashboard out of every cache', async () => {
    server = await withAdmin();
    for (const url of [
      '/runs',
      '/runs/run-1',
      '/runs/run-1/report.json',
      '/runs/run-1/results.csv',
      '/admin/queues',
      '/admin/queues/api/queues',
    ]) {
      const response = await server.app.inject({ url, headers: basic });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['cache-control'], url).toBe('no-store');
    }
  });

  it('keep the strict policy of the run pages', async () => {
    server = await withAdmin();
    const response = await server.app.inject({ url: '/runs/run-1', headers: basic });
    expect(response.headers['content-security-policy']).toMatch(/^default-src 'none'/);
  });
});
