import { getEventListeners } from 'node:events';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../src/errors.js';
import { createHttpSource, type HttpSourceOptions } from '../../src/sources/http-source.js';
import { caught, collect } from '../helpers/async.js';
import { loopbackServers, sendJson } from '../helpers/loopback-http.js';

const TOKEN = 'tok_s3cret-value';
const loopback = loopbackServers();
afterEach(() => loopback.closeAll());

/** Serves `handler`; returns the origin and the paths requested, in order. */
async function serve(handler: (res: ServerResponse, url: URL) => void): Promise<{ origin: string; paths: string[] }> {
  const server = await loopback.serve((_req, res, url) => handler(res, url));
  return {
    origin: server.origin,
    get paths() {
      return server.requests.map((r) => r.path);
    },
  };
}

/** Records the delays asked for, and waits for none of them. */
function fakeSleep(): { delays: number[]; sleep: NonNullable<HttpSourceOptions['sleep']> } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

/** Page 1 links to page 2 (`?cursor=abc`); page 2 answers with `page2` until it serves the last page. */
function twoPages(page2: (res: ServerResponse, hit: number) => boolean): (res: ServerResponse, url: URL) => void {
  let hits = 0;
  return (res, url) => {
    if (!url.searchParams.has('cursor'))
      return sendJson(res, 200, { accounts: [{ account_id: 'A-1' }], next: '?cursor=abc' });
    hits += 1;
    if (!page2(res, hits)) sendJson(res, 200, { accounts: [{ account_id: 'A-2' }], next: null });
  };
}

describe('createHttpSource: retries', () => {
  it('retries a 500 in the middle with jittered exponential backoff, then carries on', async () => {
    const server = await serve(twoPages((res, hit) => hit <= 2 && (sendJson(res, 500, { error: 'boom' }), true)));
    const { delays, sleep } = fakeSleep();
    const source = createHttpSource({ url: `${server.origin}/accounts`, sleep, random: () => 0.5, baseDelayMs: 100 });
    const records = await collect(source.records());
    expect(records.map((r) => [r.line, r.values['account_id']])).toEqual([
      [1, 'A-1'],
      [2, 'A-2'],
    ]);
    expect(server.paths).toEqual(['/accounts', '/accounts?cursor=abc', '/accounts?cursor=abc', '/accounts?cursor=abc']);
    // Full jitter, the one retry decision's (src/retry/decide-retry.ts): random * the ceiling, and
    // the ceilings double: 100 then 200. (The source had its own "equal jitter" before: 75, 150.)
    expect(delays).toEqual([50, 100]);
  });

  it('waits as long as a 429 Retry-After asks', async () => {
    const server = await serve(
      twoPages((res, hit) => hit === 1 && (sendJson(res, 429, {}, { 'retry-after': '2' }), true)),
    );
    const { delays, sleep } = fakeSleep();
    await collect(createHttpSource({ url: `${server.origin}/accounts`, sleep }).records());
    expect(delays).toEqual([2000]);
  });

  it('tries a 429 twice maxAttempts times, as the Scalekit client does: it only asks to wait', async () => {
    const server = await serve((res) => sendJson(res, 429, {}));
    const { delays, sleep } = fakeSleep();
    const error = await caught(collect(createHttpSource({ url: server.origin, maxAttempts: 2, sleep }).records()));
    expect(error.message).toBe(`page 1 (${server.origin}/) failed after 4 attempts: 429 Too Many Requests`);
    expect(delays).toHaveLength(3);
  });

  it('releases its listener on the run-wide signal after every request', async () => {
    const server = await serve(twoPages((res, hit) => hit === 1 && (sendJson(res, 503, {}), true)));
    const run = new AbortController();
    const source = createHttpSource({ url: `${server.origin}/accounts`, sleep: fakeSleep().sleep });
    for (let i = 0; i < 3; i += 1) await collect(source.records({ signal: run.signal }));
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('gives up after maxAttempts and says which page, which URL and what failed', async () => {
    const server = await serve(twoPages((res) => (sendJson(res, 503, {}), true)));
    const { delays, sleep } = fakeSleep();
    const error = await caught(
      collect(createHttpSource({ url: `${server.origin}/accounts`, token: TOKEN, sleep }).records()),
    );
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe(
      `page 2 (${server.origin}/accounts?cursor=abc) failed after 4 attempts: 503 Service Unavailable`,
    );
    expect(delays).toHaveLength(3);
    expect(server.paths.filter((p) => p.includes('cursor'))).toHaveLength(4);
  });

  it('fails at once on a 401, pointing at the token without printing it', async () => {
    const server = await serve((res) => sendJson(res, 401, { error: 'bad token' }));
    const error = await caught(
      collect(createHttpSource({ url: `${server.origin}/accounts`, token: TOKEN, sleep: fakeSleep().sleep }).records()),
    );
    expect(error.message).toBe(
      `page 1 (${server.origin}/accounts) failed: 401 Unauthorized — check ORGSYNC_SOURCE_TOKEN`,
    );
    expect(error.message).not.toContain(TOKEN);
    expect(server.paths).toHaveLength(1);
  });

  it('does not retry a 501, which no retry can fix', async () => {
    const server = await serve((res) => sendJson(res, 501, {}));
    const error = await caught(collect(createHttpSource({ url: server.origin, sleep: fakeSleep().sleep }).records()));
    expect(error.message).toBe(`page 1 (${server.origin}/) failed: 501 Not Implemented`);
    expect(server.paths).toHaveLength(1);
  });

  it('fails instead of stalling when Retry-After asks for more than maxRetryAfterMs', async () => {
    const server = await serve((res) => sendJson(res, 503, {}, { 'retry-after': '3600' }));
    const { delays, sleep } = fakeSleep();
    const error = await caught(
      collect(createHttpSource({ url: server.origin, sleep, maxRetryAfterMs: 60_000 }).records()),
    );
    expect(error.message).toMatch(
      /failed after 1 attempt: 503 Service Unavailable, and the server asks to wait 3600 s \(more than 60 s\)$/,
    );
    expect(delays).toEqual([]);
  });

  it('times out a server that never answers, and retries it', async () => {
    const server = await serve(() => undefined);
    const { delays, sleep } = fakeSleep();
    const source = createHttpSource({ url: `${server.origin}/accounts`, timeoutMs: 50, maxAttempts: 2, sleep });
    const error = await caught(collect(source.records()));
    expect(error.message).toBe(
      `page 1 (${server.origin}/accounts) failed after 2 attempts: no complete response within 50 ms`,
    );
    expect(server.paths).toHaveLength(2);
    expect(delays).toHaveLength(1);
  });

  it('retries a refused connection and then reports it', async () => {
    const server = await serve(() => undefined);
    await loopback.closeAll(); // nothing listens on its port now
    const error = await caught(
      collect(createHttpSource({ url: server.origin, maxAttempts: 3, sleep: fakeSleep().sleep }).records()),
    );
    expect(error.message).toBe(`page 1 (${server.origin}/) failed after 3 attempts: connection refused`);
  });

  it('stops with the abort reason while waiting to retry', async () => {
    const server = await serve((res) => sendJson(res, 503, {}));
    const controller = new AbortController();
    const sleep: HttpSourceOptions['sleep'] = async (_ms, signal) => {
      controller.abort(new Error('shutting down'));
      signal?.throwIfAborted();
    };
    const error = await caught(
      collect(createHttpSource({ url: server.origin, sleep }).records({ signal: controller.signal })),
    );
    expect(error.message).toBe('shutting down');
    expect(server.paths).toHaveLength(1);
  });
});
