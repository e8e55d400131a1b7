import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../src/errors.js';
import { createHttpSource } from '../../src/sources/http-source.js';
import { caught, collect } from '../helpers/async.js';
import { loopbackServers, sendJson, type LoopbackHandler } from '../helpers/loopback-http.js';

const TOKEN = 'tok_s3cret-value';

const loopback = loopbackServers();
afterEach(() => loopback.closeAll());

/** Three pages: an absolute `next`, then a relative one, then the end. */
function threePages(origin: string): LoopbackHandler {
  return (_req, res, url) => {
    const cursor = url.searchParams.get('cursor');
    if (cursor === null) {
      sendJson(res, 200, {
        accounts: [
          { Account_ID: 'A-1', Region: 'us-east', seats: 3 },
          { account_id: 'A-2', active: true },
        ],
        next: `${origin}/accounts?cursor=p2`,
      });
    } else if (cursor === 'p2') {
      sendJson(res, 200, { accounts: [{ account_id: 'A-3', tax_id: null, tags: ['x'] }], next: '?cursor=p3' });
    } else {
      sendJson(res, 200, { accounts: [{ account_id: 'A-4', updated_at: '2024-05-06T07:08:09Z' }], next: null });
    }
  };
}

describe('createHttpSource: pages', () => {
  it('follows absolute and relative `next` links, numbering records across pages', async () => {
    let origin = '';
    const server = await loopback.serve((req, res, url) => threePages(origin)(req, res, url));
    origin = server.origin;
    const source = createHttpSource({ url: `${origin}/accounts`, token: TOKEN });
    const records = await collect(source.records());

    expect(records).toEqual([
      { line: 1, values: { account_id: 'A-1', region: 'us-east', seats: '3' } },
      { line: 2, values: { account_id: 'A-2', active: 'true' } },
      { line: 3, values: { account_id: 'A-3', tax_id: null, tags: '["x"]' } },
      {
        line: 4,
        values: { account_id: 'A-4', updated_at: '2024-05-06T07:08:09Z' },
        updatedAt: '2024-05-06T07:08:09.000000000Z',
      },
    ]);
    expect(server.requests.map((r) => r.path)).toEqual(['/accounts', '/accounts?cursor=p2', '/accounts?cursor=p3']);
    expect(server.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('sends no Authorization header without a token', async () => {
    const server = await loopback.serve((_req, res) => sendJson(res, 200, { accounts: [], next: null }));
    await collect(createHttpSource({ url: `${server.origin}/accounts` }).records());
    expect(server.requests[0]?.authorization).toBeUndefined();
  });

  it('asks for accounts updated since the watermark with `updated_since`', async () => {
    const server = await loopback.serve((_req, res) => sendJson(res, 200, { accounts: [], next: null }));
    const since = new Date('2024-01-02T03:04:05.678Z');
    await collect(createHttpSource({ url: `${server.origin}/accounts?tenant=7`, since }).records());
    expect(server.requests[0]?.path).toBe('/accounts?tenant=7&updated_since=2024-01-02T03%3A04%3A05.678Z');
  });

  it('keeps every digit of `updated_at` and sends the watermark back with all of them', async () => {
    const server = await loopback.serve((_req, res) =>
      sendJson(res, 200, {
        accounts: [
          { account_id: 'A-1', updated_at: '2024-05-06T07:08:09.123456789Z' },
          { account_id: 'A-2', updated_at: '2024-05-06T09:08:09.000001+02:00' },
          { account_id: 'A-3', updated_at: 'not a date' },
        ],
        next: null,
      }),
    );
    const since = '2024-01-02T03:04:05.678901234Z';
    const records = await collect(createHttpSource({ url: `${server.origin}/accounts`, since }).records());
    expect(records.map((r) => r.updatedAt)).toEqual([
      '2024-05-06T07:08:09.123456789Z',
      '2024-05-06T07:08:09.000001000Z',
      undefined,
    ]);
    expect(server.requests[0]?.path).toBe('/accounts?updated_since=2024-01-02T03%3A04%3A05.678901234Z');
  });

  it('is described by its URL without credentials or secret query parameters', () => {
    const source = createHttpSource({ url: 'https://api.example.test/accounts?api_key=abc123&tenant=7', token: TOKEN });
    expect(source.description).toBe('https://api.example.test/accounts?api_key=***&tenant=7');
    expect(() => createHttpSource({ url: 'https://user:pw123@api.example.test/a' })).toThrow(
      /must not hold credentials/,
    );
    expect(() => createHttpSource({ url: 'https://user:pw123@api.example.test/a' })).not.toThrow('pw123');
  });
});

describe('createHttpSource: malformed pages', () => {
  it('names the page and the field when `accounts` is not an array', async () => {
    const server = await loopback.serve((_req, res, url) =>
      url.searchParams.has('cursor')
        ? sendJson(res, 200, { accounts: { a: 1 }, next: null })
        : sendJson(res, 200, { accounts: [], next: '?cursor=2' }),
    );
    const error = await caught(collect(createHttpSource({ url: `${server.origin}/accounts` }).records()));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe('page 2: `accounts` must be an array, got object');
  });

  it('names the account that is not an object, and a `next` of the wrong type', async () => {
    const bad = await loopback.serve((_req, res) =>
      sendJson(res, 200, { accounts: [{ account_id: 'A' }, 'B'], next: null }),
    );
    expect((await caught(collect(createHttpSource({ url: bad.origin }).records()))).message).toBe(
      'page 1: `accounts[1]` must be an object, got string',
    );
    const badNext = await loopback.serve((_req, res) => sendJson(res, 200, { accounts: [], next: 2 }));
    expect((await caught(collect(createHttpSource({ url: badNext.origin }).records()))).message).toBe(
      'page 1: `next` must be a URL string or null, got number',
    );
  });

  it('reports a body that is not JSON', async () => {
    const server = await loopback.serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>login</html>');
    });
    const error = await caught(collect(createHttpSource({ url: `${server.origin}/accounts` }).records()));
    expect(error.message).toMatch(
      /^page 1 \(http:\/\/127\.0\.0\.1:\d+\/accounts\): the response is not JSON \(content-type text\/html\)/,
    );
  });

  it('stops when `next` points back to a page already read', async () => {
    const server = await loopback.serve((_req, res, url) =>
      sendJson(res, 200, { accounts: [{ account_id: url.search }], next: url.search === '' ? '?c=1' : '/' }),
    );
    const error = await caught(collect(createHttpSource({ url: `${server.origin}/` }).records()));
    expect(error.message).toMatch(/^page 2 \(.*\?c=1\): `next` points back to page 1 .*pagination loops/);
  });

  it('refuses a `next` on another origin, so the token never leaves the API', async () => {
    const server = await loopback.serve((_req, res) =>
      sendJson(res, 200, { accounts: [], next: 'http://evil.example.test/steal' }),
    );
    const error = await caught(collect(createHttpSource({ url: server.origin, token: TOKEN }).records()));
    expect(error.message).toContain('`next` leads to another origin (http://evil.example.test)');
    expect(server.requests).toHaveLength(1);
  });

  it('fails when no account of the first page has a required field, and fills absent ones with null', async () => {
    const server = await loopback.serve((_req, res) =>
      sendJson(res, 200, { accounts: [{ id: '1', name: 'A' }], next: null }),
    );
    const error = await caught(
      collect(createHttpSource({ url: server.origin, requiredColumns: ['account_id', 'name'] }).records()),
    );
    expect(error.message).toBe('page 1: no account has the required field account_id; the accounts have: id, name');

    const partial = await loopback.serve((_req, res) =>
      sendJson(res, 200, { accounts: [{ account_id: '1' }, { account_id: '2', region: 'us-east' }], next: null }),
    );
    const records = await collect(
      createHttpSource({ url: partial.origin, requiredColumns: ['account_id', 'region'] }).records(),
    );
    expect(records[0]?.values).toEqual({ account_id: '1', region: null });
  });
});

describe('createHttpSource: findAccount', () => {
  it('asks for one account with `account_id` and `region` and returns the exact match', async () => {
    const server = await loopback.serve((_req, res) =>
      sendJson(res, 200, {
        accounts: [
          { account_id: 'A-10', region: 'us-east' },
          { account_id: 'A-1', region: ' US-East ', display_name: 'Acme' },
        ],
        next: 'ignored',
      }),
    );
    const source = createHttpSource({ url: `${server.origin}/accounts`, token: TOKEN });
    const record = await source.findAccount(' A-1 ', 'US-EAST');
    expect(record).toEqual({ line: 1, values: { account_id: 'A-1', region: ' US-East ', display_name: 'Acme' } });
    expect(server.requests).toEqual([
      { path: '/accounts?account_id=A-1&region=us-east', authorization: `Bearer ${TOKEN}` },
    ]);
  });

  it('returns null when the API returns no matching account', async () => {
    const server = await loopback.serve((_req, res) =>
      sendJson(res, 200, { accounts: [{ account_id: 'A-1', region: 'eu-west' }], next: null }),
    );
    const source = createHttpSource({ url: `${server.origin}/accounts` });
    expect(await source.findAccount('A-1', 'us-east')).toBeNull();
    expect(await source.findAccount('A-2')).toBeNull();
    expect(await source.findAccount('A-1')).not.toBeNull();
    expect(server.requests.map((r) => r.path)).toContain('/accounts?account_id=A-1&region=us-east');
    expect(server.requests[1]?.path).toBe('/accounts?account_id=A-2');
  });

  it('matches an account without a region on its id alone', async () => {
    const server = await loopback.serve((_req, res) =>
      sendJson(res, 200, { accounts: [{ account_id: 'A-1' }], next: null }),
    );
    expect(await createHttpSource({ url: server.origin }).findAccount('A-1', 'us-east')).toEqual({
      line: 1,
      values: { account_id: 'A-1' },
    });
  });

  it('names the lookup in its errors', async () => {
    const server = await loopback.serve((_req, res) => sendJson(res, 404, { error: 'no' }));
    const error = await caught(createHttpSource({ url: `${server.origin}/accounts` }).findAccount('A/1'));
    expect(error.message).toMatch(
      /^account lookup \(http:\/\/127\.0\.0\.1:\d+\/accounts\?account_id=A%2F1\) failed: 404 Not Found — check the source URL$/,
    );
  });
});
