import { afterEach, describe, expect, it } from 'vitest';
import { HOSTILE_NAME, sampleReport, staticHistory, summaryOf } from './run-fixtures.js';
import { buildTestServer, type TestServer } from './server-fixture.js';

const credentials = { user: 'admin', password: 's3cret-pass' };
const auth = (user = credentials.user, password = credentials.password) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});
let server: TestServer | undefined;

afterEach(async () => {
  await server?.app.close();
  server = undefined;
});

async function withRuns(): Promise<TestServer> {
  const report = sampleReport('run-1');
  const failed = summaryOf(report, {
    run_id: 'run-0',
    result: 'error',
    counts: null,
    error: { code: 'ERR_SOURCE', message: 'cannot read <source>' },
  });
  return buildTestServer({
    admin: {
      credentials,
      queues: [],
      runHistory: staticHistory([
        { summary: summaryOf(report), report },
        { summary: failed, report: null },
      ]),
    },
  });
}

describe('run pages', () => {
  it('are off (404, with the settings named) when no admin login is configured', async () => {
    server = await buildTestServer();
    for (const url of ['/runs', '/runs/run-1', '/runs/run-1/report.json', '/admin/queues']) {
      const response = await server.app.inject({ url, headers: auth() });
      expect(response.statusCode).toBe(404);
      expect(response.json().error).toMatchObject({
        code: 'not_enabled',
        message: expect.stringContaining('ORGSYNC_ADMIN_USER'),
      });
    }
  });

  it.each([
    ['no credentials', {}],
    ['a wrong password', auth('admin', 'wrong')],
    ['a wrong user', auth('root', credentials.password)],
    ['a malformed header', { authorization: 'Basic !!!' }],
    ['another scheme', { authorization: 'Bearer abc' }],
  ])('refuse %s with 401 and a Basic challenge', async (_case, headers) => {
    server = await withRuns();
    for (const url of ['/runs', '/runs/run-1', '/runs/run-1/results.csv']) {
      const response = await server.app.inject({ url, headers });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Basic realm="orgsync"/);
      expect(response.json().error.code).toBe('unauthorized');
    }
  });

  it('list the runs with their counts and results, under a strict CSP', async () => {
    server = await withRuns();
    const response = await server.app.inject({ url: '/runs', headers: auth() });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(response.headers['content-security-policy']).not.toMatch(/script-src|unsafe-inline/);
    expect(response.body).toContain('href="/runs/run-1"');
    expect(response.body).toContain('ERR_SOURCE: cannot read &lt;source&gt;');
  });

  it('show one run with before → after diffs, row errors with their line, and escaped account data', async () => {
    server = await withRuns();
    const { body } = await server.app.inject({ url: '/runs/run-1', headers: auth() });
    expect(body).not.toContain('<script>document');
    expect(body).not.toContain('<img src=x');
    expect(body).toContain('&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;');
    expect(body).toMatch(/<span class="from"><q>Acme<\/q><\/span> → <span class="to"><q>Acme Inc<\/q><\/span>/);
    expect(body).toContain('ERR_REGION_UNKNOWN');
    expect(body).toContain('region &quot;&lt;b&gt;mars&lt;/b&gt;&quot; is not a configured region');
    expect(body).toMatch(/<td class="num">8<\/td>/);
    expect(body).toContain('href="/runs/run-1/report.json"');
    expect(body).toContain('href="/runs/run-1/results.csv"');
  });

  it('filter the items by action from the query string', async () => {
    server = await withRuns();
    const { body } = await server.app.inject({ url: '/runs/run-1?action=update', headers: auth() });
    expect(body).toContain('us-east-CUST-2');
    expect(body).not.toContain('us-east-CUST-1');
    expect(body).toContain('<option value="update" selected>');
    const unknown = await server.app.inject({ url: '/runs/run-1?action=%3Cscript%3E&page=-3', headers: auth() });
    expect(unknown.statusCode).toBe(200);
    expect(unknown.body).toContain('us-east-CUST-1');
  });

  it('serve report.json and results.csv as downloads', async () => {
    server = await withRuns();
    const json = await server.app.inject({ url: '/runs/run-1/report.json', headers: auth() });
    expect(json.headers['content-disposition']).toBe('attachment; filename="report.json"');
    expect(json.json()).toEqual(sampleReport('run-1'));
    const csv = await server.app.inject({ url: '/runs/run-1/results.csv', headers: auth() });
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('action,external_id,account_id,line,org_id,changes,error_code,error_message');
    expect(lines).toHaveLength(5);
    expect(lines[2]).toBe(
      'update,us-east-CUST-2,CUST-2,3,org_2,"display_name: ""Acme"" → ""Acme Inc""; metadata.billing_plan: ""free"" → ""pro""",,',
    );
  });

  it('answer 404 in the error shape for an unknown run or a run without a report', async () => {
    server = await withRuns();
    expect((await server.app.inject({ url: '/runs/nope', headers: auth() })).json().error.code).toBe('not_found');
    expect((await server.app.inject({ url: '/runs/run-0/report.json', headers: auth() })).statusCode).toBe(404);
    const page = await server.app.inject({ url: '/runs/run-0', headers: auth() });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('This run left no report.');
  });

  it('escape the run ID in links', async () => {
    const report = sampleReport('a"b<c>/d');
    server = await buildTestServer({
      admin: { credentials, queues: [], runHistory: staticHistory([{ summary: summaryOf(report), report }]) },
    });
    const { body } = await server.app.inject({ url: '/runs', headers: auth() });
    expect(body).toContain('href="/runs/a%22b%3Cc%3E%2Fd"');
    expect(body).toContain('a&quot;b&lt;c&gt;/d');
    expect(body).not.toContain(HOSTILE_NAME);
  });
});
