import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNTS_SECRET, buildTestServer, signedHeaders, type TestServer } from './server-fixture.js';

let server: TestServer | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.app.close();
  server = undefined;
});

/** A raw connection to the server that collects what it answers and notes when it closes. */
async function open(url: string): Promise<{ socket: Socket; received: () => string; closed: Promise<number> }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  sockets.push(socket);
  let text = '';
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
  });
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => text, closed };
}

/** Resolves when `closed` does, or rejects after `deadlineMs`: no sleeps, a deadline. */
async function closedWithin(closed: Promise<number>, deadlineMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the server kept the connection open past ${deadlineMs} ms`)),
      deadlineMs,
    );
  });
  try {
    return await Promise.race([closed, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function bodyOf(raw: string): unknown {
  return JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
}

describe('slow and malformed clients on a real socket', () => {
  it('cuts a client that does not finish its headers in time, within about a second of the limit, with 408', async () => {
    // Node checks these limits every connectionsCheckingInterval: with its default (30 s), this took up to 30 s.
    server = await buildTestServer({ timeouts: { headersTimeoutMs: 300, requestTimeoutMs: 600 } });
    const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
    const client = await open(url);
    const started = Date.now();
    client.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const closedAt = await closedWithin(client.closed, 4_000);
    expect(closedAt - started).toBeGreaterThanOrEqual(250);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(client.received()).toMatch(/x-content-type-options: nosniff/i);
    expect(bodyOf(client.received())).toEqual({
      error: { code: 'request_timeout', message: expect.stringContaining('headers within 0.3 s') },
    });
  });

  it('cuts a client that trickles its body past the request limit', async () => {
    server = await buildTestServer({ timeouts: { headersTimeoutMs: 300, requestTimeoutMs: 800 } });
    const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
    // A signed delivery whose headers pass: its body is read, and it never comes whole.
    const body = JSON.stringify({ pad: 'x'.repeat(1_000) });
    const headers = Object.entries(signedHeaders(ACCOUNTS_SECRET, body))
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    const client = await open(url);
    const started = Date.now();
    client.socket.write(
      `POST /webhooks/accounts HTTP/1.1\r\nHost: x\r\n${headers}Content-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
    );
    const closedAt = await closedWithin(client.closed, 4_000);
    expect(closedAt - started).toBeGreaterThanOrEqual(700);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('uses the documented limits and checks them every second by default', async () => {
    server = await buildTestServer();
    expect(server.app.server.headersTimeout).toBe(10_000);
    expect(server.app.server.requestTimeout).toBe(30_000);
    expect(server.app.server.maxConnections).toBe(1_000);
  });

  it('answers headers over 16 KiB with 431 in the one error shape', async () => {
    server = await buildTestServer();
    const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
    const client = await open(url);
    client.socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    await closedWithin(client.closed, 4_000);
    expect(client.received()).toMatch(/^HTTP\/1\.1 431 /);
    expect(bodyOf(client.received())).toEqual({ error: { code: 'headers_too_large', message: expect.any(String) } });
  });

  it('answers a malformed request with 400 in the one error shape, echoing nothing', async () => {
    server = await buildTestServer();
    const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
    const client = await open(url);
    client.socket.write('GET /<script> HTTP/1.1 EXTRA\r\n\r\n');
    await closedWithin(client.closed, 4_000);
    expect(client.received()).toMatch(/^HTTP\/1\.1 400 /);
    expect(bodyOf(client.received())).toEqual({ error: { code: 'bad_request', message: expect.any(String) } });
    expect(client.received()).not.toContain('<script>');
  });

  it('closes connections beyond maxConnections as they arrive', async () => {
    server = await buildTestServer({ maxConnections: 2 });
    const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
    const first = await open(url);
    await open(url);
    const third = await open(url);
    await closedWithin(third.closed, 4_000);
    expect(third.received()).toBe('');
    first.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await closedWithin(first.closed, 4_000);
    expect(first.received()).toMatch(/^HTTP\/1\.1 200 /);
  });
});
