import {
  freePort,
  privateDir,
  runCommand,
  startRedisServer,
  stopAll,
  waitFor,
  withRedisProbe,
  type RedisProcess,
} from './redis-process.js';

/**
 * A private Redis Cluster (`masters` nodes, no replicas, on loopback, each in a private directory),
 * for `npm run bench -- --redis-cluster` (the queued scenario) and the tests
 * (test/helpers/redis-cluster.ts).
 */
export interface RedisCluster {
  /** The seed nodes as `REDIS_URL` takes them in cluster mode: `redis://127.0.0.1:P1,redis://127.0.0.1:P2,...`. */
  redisUrl: string;
  ports: readonly number[];
  /** Stops every node and removes their directories. Idempotent. */
  stop(): Promise<void>;
}

function clusterOk(port: number, masters: number): Promise<boolean> {
  return withRedisProbe({ host: '127.0.0.1', port }, async (probe) => {
    const info = String(await probe.call('CLUSTER', 'INFO'));
    return info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${masters}`);
  }).catch(() => false);
}

/**
 * Starts `masters` (default 3) `redis-server --cluster-enabled yes` on free ports, joins them with
 * `redis-cli --cluster create ... --cluster-replicas 0 --cluster-yes`, and waits until every node
 * says `cluster_state:ok`. Each node's cluster bus gets a free port of its own (`--cluster-port`);
 * `nodeTimeoutMs` sets `--cluster-node-timeout` (default: Redis's own).
 */
export async function startRedisCluster(
  options: { masters?: number; nodeTimeoutMs?: number } = {},
): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const processes: RedisProcess[] = [];
  const dirs: string[] = [];
  const stop = () => stopAll(processes, dirs);
  try {
    for (let i = 0; i < masters; i += 1) {
      const dir = await privateDir('redis-cluster');
      dirs.push(dir);
      const busPort = await freePort();
      const args = [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-port',
        String(busPort),
      ];
      if (options.nodeTimeoutMs !== undefined) args.push('--cluster-node-timeout', String(options.nodeTimeoutMs));
      processes.push(await startRedisServer(dir, args));
    }
    const ports = processes.map((p) => p.port);
    await runCommand('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await waitFor('the cluster to be ok on every node', async () => {
      const states = await Promise.all(ports.map((port) => clusterOk(port, masters)));
      return states.every(Boolean);
    });
    return { redisUrl: ports.map((port) => `redis://127.0.0.1:${port}`).join(','), ports, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
