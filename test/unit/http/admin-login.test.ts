import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleReport, staticHistory, summaryOf } from './run-fixtures.js';
import { buildTestServer, type TestServer } from './server-fixture.js';

const credentials = { user: 'ops', password: 'correct horse battery staple' };
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});
let server: TestServer | undefined;

afterEach(async () => {
  await server?.app.close();
  server = undefined;
});

/** A server whose log lines are collected, with a login limit of `maxFailures` per minute. */
async function withLogin(maxFailures: number): Promise<{ server: TestServer; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line));
      callback();
    },
  });
  const report = sampleReport('run-1');
  const built = await buildTestServer({
    logger: pino({ level: 'info' }, sink),
    admin: {
      credentials,
      queues: [],
      runHistory: staticHistory([{ summary: summaryOf(report), report }]),
      loginFailureLimit: { maxFailures, perMs: 60_000 },
    },
  });
  return { server: built, lines };
}

describe('the admin login', () => {
  it('logs a failed login with the user and the address, never the password', async () => {
    const built = await withLogin(10);
    server = built.server;
    const response = await server.app.inject({ url: '/runs', headers: basic('mallory', 'hunter2-guess') });
    expect(response.statusCode).toBe(401);
    const failed = built.lines.filter((line) => line.msg === 'failed admin login');
    expect(failed).toEqual([expect.objectContaining({ user: 'mallory', address: '127.0.0.1', route: '/runs' })]);
    expect(JSON.stringify(built.lines)).not.toContain('hunter2-guess');
  });

  it('masks a user name that is an e-mail address in the log', async () => {
    const built = await withLogin(10);
    server = built.server;
    await server.app.inject({ url: '/runs', headers: basic('alice@example.com', 'x') });
    const line = built.lines.find((l) => l.msg === 'failed admin login');
    expect(line?.user).toBe('a•••@example.com');
  });

  it('does not count a first visit without credentials as a failed login', async () => {
    const built = await withLogin(1);
    server = built.server;
    for (let i = 0; i < 3; i += 1) expect((await server.app.inject({ url: '/runs' })).statusCode).toBe(401);
    expect(built.lines.filter((line) => line.msg === 'failed admin login')).toEqual([]);
    expect((await server.app.inject({ url: '/runs', headers: basic('ops', credentials.password) })).statusCode).toBe(
      200,
    );
  });

  it('answers 429 with Retry-After once an address spent its failures, on every admin page, right password included', async () => {
    const built = await withLogin(3);
    server = built.server;
    for (let i = 0; i < 3; i += 1) {
      expect((await server.app.inject({ url: '/runs', headers: basic('ops', `guess-${i}`) })).statusCode).toBe(401);
    }
    for (const url of ['/runs', '/runs/run-1/report.json', '/admin/queues']) {
      const response = await server.app.inject({ url, headers: basic('ops', credentials.password) });
      expect(response.statusCode).toBe(429);
      expect(response.json().error.code).toBe('too_many_requests');
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(20);
    }
  });
});
