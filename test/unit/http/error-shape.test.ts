import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNTS_SECRET, buildTestServer, signedHeaders, type TestServer } from './server-fixture.js';

let server: TestServer | undefined;

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

  it('answer a wrong method on a webhook route with 404 in the one shape', async () => {
    server = await buildTestServer();
    const response = await server.app.inject({ method: 'GET', url: '/webhooks/accounts' });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('not_found');
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
