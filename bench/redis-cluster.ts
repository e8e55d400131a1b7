import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

/**
 * `npm run bench -- --redis-cluster`: a private 3-master Redis Cluster for the queued scenario
 * (`redis-server --cluster-enabled yes` ×3 on free loopback ports, joined by `redis-cli --cluster
 * create`), stopped and removed afterwards. The same recipe as the tests' (test/helpers/redis-cluster.ts).
 */
export interface BenchRedisCluster {
  /** The seed nodes, as REDIS_URL takes them with ORGSYNC_REDIS_MODE=cluster. */
  redisUrl: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

async function clusterState(port: number): Promise<string> {
  const probe = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return String(await probe.call('CLUSTER', 'INFO'));
  } catch {
    return '';
  } finally {
    probe.disconnect();
  }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(50);
  }
}

export async function startBenchRedisCluster(masters = 3): Promise<BenchRedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'orgsync-bench-cluster-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    for (let i = 0; i < masters; i += 1) {
      const port = await freePort();
      const busPort = await freePort();
      const nodeDir = join(dir, String(i));
      await mkdir(nodeDir);
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          `${nodeDir}`,
          '--save',
          '',
          '--appendonly',
          'no',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-port',
          String(busPort),
        ],
        { stdio: 'ignore' },
      );
      children.push(child);
      const failed = once(child, 'error').then(([error]) => {
        throw new Error(`bench --redis-cluster needs redis-server: ${(error as Error).message}`);
      });
      await Promise.race([
        until(`redis-server on port ${port}`, async () => (await clusterState(port)) !== ''),
        failed,
      ]);
      ports.push(port);
    }
    const create = spawn(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
      { stdio: 'ignore' },
    );
    const [code] = (await once(create, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`bench: redis-cli --cluster create failed (exit ${code}); is redis-cli installed?`);
    await until('the cluster to be ok', async () =>
      (await Promise.all(ports.map(clusterState))).every(
        (info) => info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${masters}`),
      ),
    );
    return { redisUrl: ports.map((p) => `redis://127.0.0.1:${p}`).join(','), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
