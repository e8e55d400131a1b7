import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createLogger } from '../../src/logger.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHttpService } from '../../src/app/http-service.js';
import {
  answersPing,
  freePort,
  privateDir,
  runCommand,
  spawnRedis,
  startRedisServer,
  stopAll,
  type RedisProcess,
} from '../helpers/redis-process.js';
import { runCli } from '../helpers/run-cli.js';
import { createRedisModeEnv, duplicatedExternalIds, type RedisModeEnv } from './redis-mode-env.js';
import { pollUntil } from './queue-helpers.js';

/** The product's own logger (its redaction included), its lines kept parsed. */
function productLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}

/**
 * TLS and ACL users: `rediss://user:password@host` and `redis://user:password@host` work for every
 * connection (ioredis options from the URL), and the password never shows in logs, `/readyz` or
 * error messages. Each Redis here is private: started with an ACL user `alice` (the default user
 * off), one of them serving TLS only, with a certificate signed by a CA made for the test.
 */
const PASSWORD = 'Sup3r-s3cret-pw';
const ACL = ['--user', 'default', 'off', '--user', 'alice', 'on', `>${PASSWORD}`, '~*', '&*', '+@all'];

const processes: RedisProcess[] = [];
const dirs: string[] = [];
let aclPort: number;
let tlsPort: number;
let caPath: string;
let t: RedisModeEnv | undefined;

/** A CA and a server certificate for 127.0.0.1, made with openssl in `dir`. */
async function makeCertificates(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const at = (name: string) => join(dir, name);
  await runCommand('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=orgsync test CA',
  ]);
  await runCommand('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    at('server.key'),
    '-out',
    at('server.csr'),
    '-subj',
    '/CN=localhost',
  ]);
  await writeFile(at('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await runCommand('openssl', [
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    at('ca.crt'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-out',
    at('server.crt'),
    '-days',
    '2',
    '-extfile',
    at('ext.cnf'),
  ]);
  return { ca: at('ca.crt'), cert: at('server.crt'), key: at('server.key') };
}

beforeAll(async () => {
  const aclDir = await privateDir('redis-acl');
  dirs.push(aclDir);
  const acl = await startRedisServer(aclDir, ACL, { username: 'alice', password: PASSWORD });
  processes.push(acl);
  aclPort = acl.port;

  const tlsDir = await privateDir('redis-tls');
  dirs.push(tlsDir);
  const certs = await makeCertificates(tlsDir);
  caPath = certs.ca;
  tlsPort = await freePort();
  const args = [
    '--port',
    '0',
    '--tls-port',
    String(tlsPort),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    tlsDir,
    '--tls-cert-file',
    certs.cert,
    '--tls-key-file',
    certs.key,
    '--tls-ca-cert-file',
    certs.ca,
    '--tls-auth-clients',
    'no',
    ...ACL,
  ];
  const ca = certs.ca;
  processes.push(
    await spawnRedis('redis-server', args, {
      port: tlsPort,
      ready: async () => {
        const { readFile } = await import('node:fs/promises');
        const pem = await readFile(ca, 'utf8');
        return answersPing({
          host: '127.0.0.1',
          port: tlsPort,
          username: 'alice',
          password: PASSWORD,
          tls: { ca: pem },
        });
      },
    }),
  );
}, 60_000);

afterAll(async () => {
  await stopAll(processes, dirs);
});

afterEach(async () => {
  await t?.close();
  t = undefined;
});

const aclUrl = (password = PASSWORD) => `redis://alice:${encodeURIComponent(password)}@127.0.0.1:${aclPort}`;

describe('Redis ACL users and TLS', () => {
  it('runs a bulk import as ACL user alice (user and password from REDIS_URL), and never logs the password', async () => {
    const { logger, lines } = productLogger();
    t = await createRedisModeEnv({ REDIS_URL: aclUrl() });
    await Promise.all([t.startWorker({ concurrency: 2, logger }), t.startWorker({ concurrency: 2, logger })]);
    const jobId = await t.enqueueImport(300, 100);
    const result = await t.importResult(jobId);
    expect(result.summary).toMatchObject({ accounts: 300, create: 300, failed: 0 });
    expect(duplicatedExternalIds(t.emulator)).toEqual([]);
    const starting = lines.find((l) => l.msg === 'worker starting');
    expect(starting?.redis).toBe(`redis://127.0.0.1:${aclPort}`);
    expect(JSON.stringify(lines)).not.toContain(PASSWORD);
  });

  it('says /readyz is 503 without the password when the user is refused, and 200 again once it is back', async () => {
    t = await createRedisModeEnv({ REDIS_URL: aclUrl() }, { ORGSYNC_HTTP_PORT: '0' });
    const { logger, lines } = productLogger();
    const service = await startHttpService({
      config: t.config,
      logger,
      queueName: t.queueName,
      readiness: { cacheMs: 0, timeoutMs: 1_000 },
    });
    const admin = new Redis({ host: '127.0.0.1', port: aclPort, username: 'alice', password: PASSWORD });
    try {
      expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
      // Alice's password changes under the running service, and its connections are cut.
      await admin.call('ACL', 'SETUSER', 'alice', 'resetpass', '>another-pw');
      await admin.call('CLIENT', 'KILL', 'USER', 'alice');
      const refused = await pollUntil('/readyz to fail', async () => {
        const response = await fetch(`${service.url}/readyz`);
        return response.status === 503 ? response.text() : undefined;
      });
      expect(refused).toContain('redis');
      expect(refused).not.toContain(PASSWORD);
      const restored = new Redis({ host: '127.0.0.1', port: aclPort, username: 'alice', password: 'another-pw' });
      await restored.call('ACL', 'SETUSER', 'alice', 'resetpass', `>${PASSWORD}`);
      restored.disconnect();
      await pollUntil('/readyz to be 200 again', async () => (await fetch(`${service.url}/readyz`)).status === 200);
      expect(JSON.stringify(lines)).not.toContain(PASSWORD);
    } finally {
      admin.disconnect();
      await service.close();
    }
  });

  it('refuses a wrong password with a message naming the host, not the password (orgsync enqueue)', async () => {
    const wrong = 'Wr0ng-pw-for-alice';
    const result = await runCli(['enqueue', 'nightly-sync'], { REDIS_URL: aclUrl(wrong) });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`orgsync: cannot connect to Redis at redis://127.0.0.1:${aclPort} (WRONGPASS`);
    expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
    expect(result.stderr).not.toContain(wrong);
  });

  it('connects over TLS (rediss://) with the CA of ORGSYNC_REDIS_TLS_CA, and refuses an unknown CA', async () => {
    const url = `rediss://alice:${PASSWORD}@127.0.0.1:${tlsPort}`;
    t = await createRedisModeEnv({ REDIS_URL: url, ORGSYNC_REDIS_TLS_CA: caPath });
    await t.startWorker({ concurrency: 2 });
    const jobId = await t.enqueueImport(50, 25);
    expect((await t.importResult(jobId)).summary).toMatchObject({ accounts: 50, create: 50, failed: 0 });

    const untrusted = await runCli(['enqueue', 'nightly-sync'], { REDIS_URL: url });
    expect(untrusted.code).not.toBe(0);
    expect(untrusted.stderr).toMatch(
      new RegExp(`cannot connect to Redis at rediss://127\\.0\\.0\\.1:${tlsPort} \\(.*certificate`),
    );
    expect(untrusted.stderr).not.toContain(PASSWORD);
  });
});
