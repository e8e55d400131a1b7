import { afterEach, describe, expect, it } from 'vitest';
import { staticHistory } from './run-fixtures.js';
import { ACCOUNTS_SECRET, buildTestServer, signedHeaders, type TestServer } from './server-fixture.js';

let server: TestServer | undefined;
const credentials = { user: 'ops', password: 'pw' };
const basic = { authorization: `Basic ${Buffer.from('ops:pw').toString('base64')}` };
const admin = { credentials, queues: [], runHistory: staticHistory([]) };

afterEach(async () => {
  await server?.app.close();
  server = undefined;
});

describe('error bodies', () => {
  it('answer an unknown route with 404 in the one shape, without echoing the query string', async () => {
    server = await buildTestServer();
    const response = await server.app.inject({ url: '/nope?token=abc' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'not_found', message: 'no route for GET /nope' } });
  });

  it.each([
    ['GET', '/webhooks/accounts', 'POST'],
    ['PUT', '/webhooks/scalekit', 'POST'],
    ['DELETE', '/healthz', 'GET, HEAD'],
    ['POST', '/runs', 'GET, HEAD'],
    ['POST', '/runs/run-1/results.csv', 'GET, HEAD'],
  ])('answer %s %s with 405 and Allow: %s', async (method, url, allow) => {
    server = await buildTestServer();
    const response = await server.app.inject({ method, url, headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe(allow);
    expect(response.json()).toEqual({ error: { code: 'method_not_allowed', message: expect.any(String) } });
  });

  it('answer 404, not 405, when a route of the same method finds nothing (a missing dashboard file)', async () => {
    server = await buildTestServer({ admin });
    const response = await server.app.inject({ url: '/admin/queues/static/nope.js', headers: basic });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('not_found');
  });

  it('answer a malformed percent-encoding in the path with 400 in the one shape', async () => {
    server = await buildTestServer({ admin });
    const response = await server.app.inject({ url: '/runs/%ff' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: { code: 'bad_request', message: expect.any(String) } });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answer a run ID over 100 characters with 414 in the one shape, without echoing it', async () => {
    server = await buildTestServer({ admin });
    const id = `run-${'y'.repeat(120)}`;
    const response = await server.app.inject({ url: `/runs/${id}` });
    expect(response.statusCode).toBe(414);
    expect(response.json()).toEqual({ error: { code: 'uri_too_long', message: expect.any(String) } });
    expect(response.body).not.toContain('yyyy');
  });

  it("reshape bull-board's own errors into the one shape, inside the dashboard", async () => {
    server = await buildTestServer({ admin });
    const response = await server.app.inject({ url: '/admin/queues/api/queues/nope/metrics', headers: basic });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: { code: 'not_found', message: 'no such queue on this dashboard', key: 'ERRORS.QUEUE_NOT_FOUND' },
    });
  });

  it('answer a signed body without Content-Type with 415', async () => {
    server = await buildTestServer();
    const { 'content-type': _type, ...headers } = signedHeaders(ACCOUNTS_SECRET, '{}');
    const response = await server.app.inject({
      method: 'POST',
      url: '/webhooks/accounts',
      headers,
      payload: Buffer.from('{}'),
    });
    expect(response.statusCode).toBe(415);
    expect(response.json().error.code).toBe('unsupported_media_type');
  });

  it('answer a malformed Content-Type with 4xx in the one shape', async () => {
    server = await buildTestServer();
    const response = await server.app.inject({
      method: 'POST',
      url: '/webhooks/accounts',
      headers: { 'content-type': ';;;' },
      payload: '{}',
    });
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(response.json().error.code).toMatch(/^[a-z_]+$/);
  });
});
