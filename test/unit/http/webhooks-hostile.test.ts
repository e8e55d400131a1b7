import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../../integration/queue-helpers.js';
import {
  ACCOUNTS_SECRET,
  SCALEKIT_SECRET,
  buildTestServer,
  signedHeaders,
  signedRawHeaders,
  type TestServer,
} from './server-fixture.js';

let server: TestServer | undefined;

afterEach(async () => {
  await server?.app.close();
  server = undefined;
});

const accountBody = (accountId: string): string =>
  JSON.stringify({
    type: 'account.upserted',
    occurred_at: '2026-05-01T12:00:00Z',
    account: { account_id: accountId, region: 'us-east' },
  });

async function post(s: TestServer, url: string, payload: string | Buffer, headers: Record<string, string>) {
  const response = await s.app.inject({ method: 'POST', url, headers, payload });
  return { status: response.statusCode, json: response.json(), headers: response.headers };
}

/** Sends `head` (request line and headers, no body) on a real socket; resolves with the first bytes answered. */
async function answerBeforeBody(url: string, head: string, deadlineMs = 5_000): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs} ms`)), deadlineMs);
      socket.once('data', (chunk: Buffer) => {
        clearTimeout(timer);
        resolve(chunk.toString('latin1'));
      });
      socket.once('error', reject);
      socket.write(head);
    });
  } finally {
    socket.destroy();
  }
}

describe('webhooks under hostile input', () => {
  it('refuses missing headers and a stale timestamp before reading a 1 MiB body', async () => {
    server = await buildTestServer();
    const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
    const head = (extra: string) =>
      `POST /webhooks/accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n${extra}\r\n`;
    const unsigned = await answerBeforeBody(url, head(''));
    expect(unsigned).toMatch(/^HTTP\/1\.1 401 [^]*"invalid_signature"/);
    // The rest of the body is not read and discarded: the connection closes.
    expect(unsigned).toMatch(/\r\nconnection: close\r\n/i);
    const stale = signedHeaders(ACCOUNTS_SECRET, '', { at: new Date(Date.now() - 3_600_000) });
    const staleHead = Object.entries(stale)
      .filter(([name]) => name.startsWith('webhook-'))
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    expect(await answerBeforeBody(url, head(staleHead))).toMatch(/^HTTP\/1\.1 401 [^]*s old/);
  });

  it('answers an unsigned body over the size limit with 401, not 413: the headers come first', async () => {
    server = await buildTestServer();
    const big = 'x'.repeat(2 * 1024 * 1024);
    const { status, json } = await post(server, '/webhooks/accounts', big, { 'content-type': 'application/json' });
    expect(status).toBe(401);
    expect(json.error.code).toBe('invalid_signature');
  });

  it('verifies a signed body that is not UTF-8, then refuses it as not JSON (400, not 401)', async () => {
    server = await buildTestServer();
    const raw = Buffer.concat([Buffer.from('{"type":"'), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('"}')]);
    const { status, json } = await post(server, '/webhooks/accounts', raw, signedRawHeaders(ACCOUNTS_SECRET, raw));
    expect(status).toBe(400);
    expect(json.error.code).toBe('invalid_json');
    expect(server.enqueued).toEqual([]);
  });

  it('accepts a signed JSON body that starts with a UTF-8 byte order mark', async () => {
    server = await buildTestServer();
    const raw = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(accountBody('CUST-BOM'))]);
    const { status } = await post(server, '/webhooks/accounts', raw, signedRawHeaders(ACCOUNTS_SECRET, raw));
    expect(status).toBe(202);
    expect(server.enqueued.map((r) => r.externalId)).toEqual(['us-east-CUST-BOM']);
  });

  it('limits failed signature checks per address: 429 with Retry-After, even for a good delivery, before the body', async () => {
    server = await buildTestServer({ signatureFailureLimit: { maxFailures: 3, perMs: 60_000 } });
    const body = accountBody('CUST-RL');
    for (let i = 0; i < 3; i += 1) {
      expect((await post(server, '/webhooks/accounts', body, signedHeaders(SCALEKIT_SECRET, body))).status).toBe(401);
    }
    const limited = await post(server, '/webhooks/scalekit', body, signedHeaders(SCALEKIT_SECRET, body));
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe('too_many_requests');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(20);
    const good = await post(server, '/webhooks/accounts', body, signedHeaders(ACCOUNTS_SECRET, body));
    expect(good.status).toBe(429);
    expect(server.enqueued).toEqual([]);
    const text = await server.metrics.registry.metrics();
    expect(text).toContain('orgsync_webhook_deliveries_total{route="accounts",outcome="rate_limited"} 1');
  });

  it('answers 422, not 503, when the job schema refuses a verified payload, and a retry gets 422 again', async () => {
    server = await buildTestServer();
    const body = JSON.stringify({
      type: 'organization.updated',
      data: { id: 'org_1', external_id: `us-east-${'X'.repeat(300)}` },
    });
    const headers = signedHeaders(SCALEKIT_SECRET, body, { id: 'msg_too_long' });
    const first = await post(server, '/webhooks/scalekit', body, headers);
    expect(first.status).toBe(422);
    expect(first.json.error).toMatchObject({ code: 'validation_failed', field: 'data.external_id' });
    expect(first.json.error.message).toMatch(/^data\.external_id: /);
    expect((await post(server, '/webhooks/scalekit', body, headers)).status).toBe(422);
    expect(server.enqueued).toEqual([]);
  });

  it('records the webhook-id only after the job is queued: a retry while enqueue hangs is queued, not "replayed"', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    server = await buildTestServer({
      beforeEnqueue: async () => {
        calls += 1;
        if (calls === 1) await held;
      },
    });
    const body = accountBody('CUST-HANG');
    const headers = signedHeaders(ACCOUNTS_SECRET, body, { id: 'msg_hang' });
    const first = post(server, '/webhooks/accounts', body, headers);
    await pollUntil('the first enqueue to start', () => calls === 1, 5_000, 5);
    const retry = await post(server, '/webhooks/accounts', body, headers);
    expect(retry.status).toBe(202);
    release();
    expect((await first).status).toBe(202);
    expect(await post(server, '/webhooks/accounts', body, headers)).toMatchObject({
      status: 200,
      json: { replayed: true },
    });
  });

  it('takes the retry of a delivery whose enqueue failed as new, not as a replay', async () => {
    let calls = 0;
    server = await buildTestServer({
      beforeEnqueue: async () => {
        calls += 1;
        if (calls === 1) throw new Error('queue down');
      },
    });
    const body = accountBody('CUST-RETRY');
    const headers = signedHeaders(ACCOUNTS_SECRET, body, { id: 'msg_retry_ok' });
    expect((await post(server, '/webhooks/accounts', body, headers)).status).toBe(503);
    expect((await post(server, '/webhooks/accounts', body, headers)).status).toBe(202);
  });
});
