import { startRedisCluster as startCluster, type RedisCluster } from '../../bench/redis-cluster.js';

/** A Redis Cluster of the tests: `masters` nodes, no replicas, on loopback, each in a private directory. */
export type TestRedisCluster = RedisCluster;

/**
 * Starts a cluster of `masters` (default 3) nodes (bench/redis-cluster.ts, the bench's recipe) with
 * `--cluster-node-timeout 2000`, and waits until every node says `cluster_state:ok`.
 */
export function startRedisCluster(options: { masters?: number } = {}): Promise<TestRedisCluster> {
  return startCluster({ ...options, nodeTimeoutMs: 2_000 });
}
