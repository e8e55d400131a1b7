import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { ConfigError, SourceError } from '../../src/errors.js';
import { createHttpSource } from '../../src/sources/http-source.js';
import { caught, collect } from '../helpers/async.js';
import { loopbackServers, sendJson } from '../helpers/loopback-http.js';
import { runCli } from '../helpers/run-cli.js';

const TOKEN = 'tok_s3cret-value';
const loopback = loopbackServers();
afterEach(() => loopback.closeAll());

/** Writes 64 KiB chunks of a JSON string until the client hangs up: a page that never ends. */
function endlessPage(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"accounts": [], "padding": "');
  const chunk = 'x'.repeat(64 * 1024);
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}

describe('createHttpSource: page size', () => {
  it('stops reading a page past maxPageBytes, naming the page, the URL without secrets and the setting', async () => {
    const server = await loopback.serve((_req, res) => endlessPage(res));
    const source = createHttpSource({ url: `${server.origin}/accounts?api_key=k3y-value`, maxPageBytes: 200_000 });
    const error = await caught(collect(source.records()));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe(
      `page 1 (${server.origin}/accounts?api_key=***): the response is larger than 200000 bytes; raise ORGSYNC_SOURCE_MAX_PAGE_BYTES if pages this large are expected`,
    );
    expect(server.requests).toHaveLength(1); // not retried: it would only be as large again
  });

  it('refuses a declared Content-Length over the cap before reading the body', async () => {
    const server = await loopback.serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) });
      res.write('{"accounts": ['); // and nothing more: only the header can end this quickly
    });
    const error = await caught(collect(createHttpSource({ url: `${server.origin}/a`, maxPageBytes: 1024 }).records()));
    expect(error.message).toMatch(
      /^page 1 \(.*\/a\): the response is larger than 1024 bytes; raise ORGSYNC_SOURCE_MAX_PAGE_BYTES/,
    );
  });

  it('reads pages up to the cap, and counts each page on its own', async () => {
    const big = { accounts: [{ account_id: 'A-1', note: 'y'.repeat(900) }], next: '?p=2' };
    const size = Buffer.byteLength(JSON.stringify(big));
    const server = await loopback.serve((_req, res, url) =>
      url.searchParams.get('p') === '2'
        ? sendJson(res, 200, { accounts: [{ account_id: 'A-2', note: 'é'.repeat(size) }], next: null })
        : sendJson(res, 200, big),
    );
    const error = await caught(collect(createHttpSource({ url: `${server.origin}/a`, maxPageBytes: size }).records()));
    // Page 2 has as many characters as the cap but twice as many bytes: bytes are what count.
    expect(error.message).toMatch(/^page 2 \(.*\/a\?p=2\): the response is larger than \d+ bytes/);
  });
});

describe('createHttpSource: number of pages', () => {
  it('fails a `next` that never ends once maxPages pages were read, instead of looping', async () => {
    const server = await loopback.serve((_req, res, url) => {
      const page = Number(url.searchParams.get('page') ?? '1');
      sendJson(res, 200, { accounts: [{ account_id: `A-${page}` }], next: `?page=${page + 1}` });
    });
    const error = await caught(collect(createHttpSource({ url: `${server.origin}/a`, maxPages: 5 }).records()));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe(
      `page 5 (${server.origin}/a?page=5): \`next\` asks for page 6, but a run reads at most 5 pages (ORGSYNC_SOURCE_MAX_PAGES); the API's pagination does not seem to end`,
    );
    expect(server.requests).toHaveLength(5);
  });
});

describe('createHttpSource: plain http with a token', () => {
  it('refuses http:// with a token unless the host is loopback, naming ORGSYNC_SOURCE_TOKEN and the URL', () => {
    const attempt = (): unknown =>
      createHttpSource({ url: 'http://api.example.test/accounts?api_key=abc', token: TOKEN });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      'ORGSYNC_SOURCE_TOKEN is set, but the source http://api.example.test/accounts?api_key=*** is plain http: the token would cross the network unencrypted; use https://',
    );
    expect(attempt).not.toThrow(TOKEN);
    for (const url of ['http://127.0.0.1:8080/a', 'http://localhost/a', 'http://[::1]:9/a', 'http://127.8.9.10/a'])
      expect(() => createHttpSource({ url, token: TOKEN })).not.toThrow();
    expect(() => createHttpSource({ url: 'http://api.example.test/accounts' })).not.toThrow();
    expect(() => createHttpSource({ url: 'https://api.example.test/accounts', token: TOKEN })).not.toThrow();
  });
});

describe('createHttpSource: redirects', () => {
  it('follows a redirect within the origin, token included', async () => {
    const server = await loopback.serve((_req, res, url) => {
      if (url.pathname === '/old') {
        res.writeHead(301, { location: '/accounts' });
        res.end();
      } else sendJson(res, 200, { accounts: [{ account_id: 'A-1' }], next: null });
    });
    const records = await collect(createHttpSource({ url: `${server.origin}/old`, token: TOKEN }).records());
    expect(records.map((r) => r.values['account_id'])).toEqual(['A-1']);
    expect(server.requests).toEqual([
      { path: '/old', authorization: `Bearer ${TOKEN}` },
      { path: '/accounts', authorization: `Bearer ${TOKEN}` },
    ]);
  });

  it('refuses a redirect to another origin: the token never leaves, for pages and lookups alike', async () => {
    const elsewhere = await loopback.serve((_req, res) => sendJson(res, 200, { accounts: [], next: null }));
    const server = await loopback.serve((_req, res, url) => {
      if (url.searchParams.has('cursor') || url.searchParams.has('account_id')) {
        res.writeHead(307, { location: `${elsewhere.origin}/steal?sig=abc` });
        res.end();
      } else sendJson(res, 200, { accounts: [{ account_id: 'A-1' }], next: '?cursor=2' });
    });
    const source = createHttpSource({ url: `${server.origin}/accounts`, token: TOKEN });
    const error = await caught(collect(source.records()));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe(
      `page 2 (${server.origin}/accounts?cursor=2) failed: 307 redirects to another origin (${elsewhere.origin}); orgsync does not follow it, so that ORGSYNC_SOURCE_TOKEN is never sent there — point the source at the final URL`,
    );
    const lookup = await caught(source.findAccount('A-1'));
    expect(lookup.message).toContain('redirects to another origin');
    expect(elsewhere.requests).toEqual([]);
  });

  it('stops a redirect loop within the origin', async () => {
    const server = await loopback.serve((_req, res, url) => {
      res.writeHead(302, { location: url.pathname === '/a' ? '/b' : '/a' });
      res.end();
    });
    const error = await caught(collect(createHttpSource({ url: `${server.origin}/a` }).records()));
    expect(error.message).toMatch(/^page 1 \(.*\/a\) failed: more than 5 redirects$/);
  });
});

describe('orgsync plan with an http(s) source: the limits are settings', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, clientId: 'id', clientSecret: 'secret' });
  });
  afterAll(() => emulator.close());
  const env = (): Record<string, string> => ({
    SCALEKIT_ENVIRONMENT_URL: emulator.url,
    SCALEKIT_CLIENT_ID: 'id',
    SCALEKIT_CLIENT_SECRET: 'secret',
  });

  it('applies ORGSYNC_SOURCE_MAX_PAGE_BYTES and ORGSYNC_SOURCE_MAX_PAGES', async () => {
    const server = await loopback.serve((_req, res, url) => {
      const page = Number(url.searchParams.get('page') ?? '1');
      sendJson(res, 200, {
        accounts: [{ account_id: `A-${page}`, region: 'us-east', display_name: 'x'.repeat(2000) }],
        next: `?page=${page + 1}`,
      });
    });
    const source = `${server.origin}/accounts`;
    const bytes = await runCli(['plan', '--source', source], { ...env(), ORGSYNC_SOURCE_MAX_PAGE_BYTES: '1000' });
    expect(bytes.code).toBe(1);
    expect(bytes.stderr).toContain('larger than 1000 bytes; raise ORGSYNC_SOURCE_MAX_PAGE_BYTES');
    const pages = await runCli(['plan', '--source', source], { ...env(), ORGSYNC_SOURCE_MAX_PAGES: '3' });
    expect(pages.code).toBe(1);
    expect(pages.stderr).toContain('at most 3 pages (ORGSYNC_SOURCE_MAX_PAGES)');
  });

  it('refuses a token over plain http to a remote host before reading anything', async () => {
    const result = await runCli(['plan', '--source', 'http://accounts.example.test/v1/accounts'], {
      ...env(),
      ORGSYNC_SOURCE_TOKEN: TOKEN,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'ORGSYNC_SOURCE_TOKEN is set, but the source http://accounts.example.test/v1/accounts',
    );
    expect(result.stderr + result.stdout).not.toContain(TOKEN);
  });
});
