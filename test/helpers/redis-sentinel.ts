import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import {
  answersPing,
  freePort,
  privateDir,
  spawnRedis,
  startRedisServer,
  stopAll,
  waitFor,
  withRedisProbe,
  type RedisProcess,
} from './redis-process.js';

/** A Sentinel set-up of the tests: one master, one replica, one sentinel, on loopback. */
export interface TestRedisSentinel {
  /** The master's name in the sentinel's configuration (`ORGSYNC_REDIS_SENTINEL_NAME`). */
  masterName: string;
  /** The sentinels as `REDIS_URL` takes them in sentinel mode. */
  redisUrl: string;
  sentinelPort: number;
  /** The port of whichever server the sentinel currently calls master. */
  masterPort(): Promise<number>;
  /**
   * `SENTINEL FAILOVER <name>`, then waits until the sentinel names the other server master and
   * that server accepts writes. Returns the new master's port.
   */
  failover(): Promise<number>;
  /** Stops every process and removes their directories. Idempotent. */
  stop(): Promise<void>;
}

/** `redis-sentinel` when installed (Debian's package), else `redis-server --sentinel` (the same program). */
function sentinelCommand(configPath: string): { binary: string; args: string[] } {
  try {
    execFileSync('redis-sentinel', ['--version'], { stdio: 'ignore' });
    return { binary: 'redis-sentinel', args: [configPath] };
  } catch {
    return { binary: 'redis-server', args: [configPath, '--sentinel'] };
  }
}

function withSentinel<T>(port: number, fn: (sentinel: Redis) => Promise<T>): Promise<T> {
  return withRedisProbe({ host: '127.0.0.1', port }, fn);
}

/** Fields of a `SENTINEL REPLICAS` entry (a flat name/value list). */
function fields(entry: unknown): Record<string, string> {
  const list = Array.isArray(entry) ? entry.map(String) : [];
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[list[i] ?? ''] = list[i + 1] ?? '';
  return out;
}

function isWritableMaster(port: number): Promise<boolean> {
  return withRedisProbe({ host: '127.0.0.1', port }, async (probe) =>
    String(await probe.info('replication')).includes('role:master'),
  ).catch(() => false);
}

/**
 * Starts a master and a replica (`redis-server --replicaof`), each in a private directory, and a
 * sentinel monitoring the master with quorum 1; waits until the replica is in sync and the
 * sentinel knows it (so that a failover can promote it).
 */
export async function startRedisSentinel(options: { masterName?: string } = {}): Promise<TestRedisSentinel> {
  const masterName = options.masterName ?? 'orgsync-test-master';
  const processes: RedisProcess[] = [];
  const dirs: string[] = [];
  const stop = () => stopAll(processes, dirs);
  try {
    const masterDir = await privateDir('redis-master');
    dirs.push(masterDir);
    const master = await startRedisServer(masterDir);
    processes.push(master);
    const replicaDir = await privateDir('redis-replica');
    dirs.push(replicaDir);
    const replica = await startRedisServer(replicaDir, ['--replicaof', '127.0.0.1', String(master.port)]);
    processes.push(replica);
    await waitFor('the replica to be in sync', () =>
      withRedisProbe({ host: '127.0.0.1', port: replica.port }, async (probe) =>
        String(await probe.info('replication')).includes('master_link_status:up'),
      ),
    );

    const sentinelDir = await privateDir('redis-sentinel');
    dirs.push(sentinelDir);
    const sentinelPort = await freePort();
    const configPath = join(sentinelDir, 'sentinel.conf');
    await writeFile(
      configPath,
      [
        `port ${sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${sentinelDir}`,
        `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 1`,
        `sentinel down-after-milliseconds ${masterName} 2000`,
        `sentinel failover-timeout ${masterName} 10000`,
        `sentinel parallel-syncs ${masterName} 1`,
        '',
      ].join('\n'),
    );
    const command = sentinelCommand(configPath);
    processes.push(
      await spawnRedis(command.binary, command.args, {
        port: sentinelPort,
        ready: () => answersPing({ host: '127.0.0.1', port: sentinelPort }),
      }),
    );
    // The sentinel learns of replicas from the master's INFO, every 10 s at first.
    await waitFor(
      'the sentinel to know the replica',
      () =>
        withSentinel(sentinelPort, async (sentinel) => {
          const replicas = (await sentinel.call('SENTINEL', 'REPLICAS', masterName)) as unknown[];
          return replicas.some((entry) => {
            const f = fields(entry);
            return f.port === String(replica.port) && f['master-link-status'] === 'ok' && !f.flags?.includes('down');
          });
        }),
      30_000,
    );

    const masterPort = () =>
      withSentinel(sentinelPort, async (sentinel) => {
        const address = (await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName)) as string[];
        return Number(address[1]);
      });
    return {
      masterName,
      redisUrl: `redis://127.0.0.1:${sentinelPort}`,
      sentinelPort,
      masterPort,
      async failover() {
        const before = await masterPort();
        await withSentinel(sentinelPort, (sentinel) => sentinel.call('SENTINEL', 'FAILOVER', masterName));
        return waitFor(
          'the failover to finish',
          async () => {
            const now = await masterPort();
            return now !== before && (await isWritableMaster(now)) ? now : 0;
          },
          30_000,
        );
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
