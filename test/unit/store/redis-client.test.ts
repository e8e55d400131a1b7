import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createRedisClient,
  describeRedis,
  redactRedisSecrets,
  redisEndpoints,
  type RedisConnection,
} from '../../../src/store/redis-client.js';
import { bullPrefix, orgsyncKeyPrefix, queueKeyPrefix } from '../../../src/store/redis-keys.js';

const clients: RedisConnection[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
});
const lazy = (settings: Parameters<typeof createRedisClient>[0]) => {
  const client = createRedisClient(settings, { lazyConnect: true });
  clients.push(client);
  return client;
};

describe('redisEndpoints', () => {
  it('takes user, password (percent-decoded), TLS and database from each URL', () => {
    expect(redisEndpoints({ redisUrl: 'rediss://alice:p%40ss%2Fw@cache.example:6380/2' })).toEqual([
      { host: 'cache.example', port: 6380, tls: true, username: 'alice', password: 'p@ss/w', db: 2 },
    ]);
    expect(redisEndpoints({ redisUrl: 'redis://:only-pw@[::1]' })).toEqual([
      { host: '::1', port: 6379, tls: false, username: undefined, password: 'only-pw', db: undefined },
    ]);
  });

  it('defaults sentinels to port 26379', () => {
    const endpoints = redisEndpoints({
      redisUrl: 'redis://s1,redis://s2:26380',
      redisMode: 'sentinel',
      redisSentinelName: 'mymaster',
    });
    expect(endpoints.map((e) => `${e.host}:${e.port}`)).toEqual(['s1:26379', 's2:26380']);
  });
});

describe('describeRedis', () => {
  it('never shows the user or password, for every URL of a list', () => {
    const text = describeRedis({
      redisUrl: 'rediss://alice:s3cret@a.example:7000,rediss://alice:s3cret@b.example:7001',
      redisMode: 'cluster',
    });
    expect(text).toBe('rediss://a.example:7000,rediss://b.example:7001 (cluster)');
    expect(describeRedis('redis://:pw@127.0.0.1:6379/1')).toBe('redis://127.0.0.1:6379/1');
    expect(describeRedis('not a url with s3cret')).toBe('the configured REDIS_URL');
  });
});

describe('redactRedisSecrets', () => {
  it('hides every password of REDIS_URL and the sentinel password in a message', () => {
    const settings = {
      redisUrl: 'redis://alice:p%40ss@a:1,redis://bob:other@b:2',
      redisMode: 'sentinel' as const,
      redisSentinelPassword: 'sentinel-pw',
    };
    expect(redactRedisSecrets('AUTH p@ss failed; other; p%40ss; sentinel-pw', settings)).toBe(
      'AUTH *** failed; ***; ***; ***',
    );
  });
});

describe('createRedisClient', () => {
  it('builds a standalone client from the URL: credentials, database, TLS', () => {
    const client = lazy({ redisUrl: 'rediss://alice:s3cret@cache.example:6380/4' });
    expect(client.isCluster).toBe(false);
    const options = client.options as Record<string, unknown>;
    expect(options).toMatchObject({ host: 'cache.example', port: 6380, username: 'alice', password: 's3cret', db: 4 });
    expect(options.tls).toEqual({ servername: 'cache.example' });
    expect((lazy({ redisUrl: 'rediss://127.0.0.1:6380' }).options as { tls?: unknown }).tls).toEqual({});
  });

  it('builds an ioredis Cluster from the seed nodes, credentials on every node', () => {
    const client = lazy({ redisUrl: 'redis://bob:pw@127.0.0.1:7000,redis://127.0.0.1:7001', redisMode: 'cluster' });
    expect(client.isCluster).toBe(true);
    const options = client.options as { redisOptions?: Record<string, unknown>; lazyConnect?: boolean };
    expect(options.lazyConnect).toBe(true);
    expect(options.redisOptions).toMatchObject({ username: 'bob', password: 'pw' });
    expect(options.redisOptions).not.toHaveProperty('lazyConnect');
  });

  it('builds a Sentinel client, and refuses one without the master name', () => {
    const client = lazy({ redisUrl: 'redis://127.0.0.1:26379', redisMode: 'sentinel', redisSentinelName: 'mymaster' });
    expect(client.options).toMatchObject({ name: 'mymaster', sentinels: [{ host: '127.0.0.1', port: 26379 }] });
    expect(() => lazy({ redisUrl: 'redis://127.0.0.1:26379', redisMode: 'sentinel' })).toThrow(
      /ORGSYNC_REDIS_SENTINEL_NAME is required in sentinel mode/,
    );
  });

  it('reads the CA of ORGSYNC_REDIS_TLS_CA, and names the setting when it cannot', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'orgsync-ca-'));
    try {
      const caPath = join(dir, 'ca.pem');
      await writeFile(caPath, '-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n');
      const client = lazy({ redisUrl: 'rediss://127.0.0.1:6380', redisTlsCa: caPath });
      expect((client.options as { tls?: { ca?: string } }).tls?.ca).toContain('BEGIN CERTIFICATE');
      expect(() => lazy({ redisUrl: 'rediss://127.0.0.1:6380', redisTlsCa: join(dir, 'missing.pem') })).toThrow(
        /^ORGSYNC_REDIS_TLS_CA: cannot read .*missing\.pem \(ENOENT\)/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the key prefixes', () => {
  it('stay as they were on one server, and carry the {orgsync} hash tag on a cluster', () => {
    expect(orgsyncKeyPrefix()).toBe('orgsync:');
    expect(queueKeyPrefix('jobs', { isCluster: false })).toBe('orgsync:jobs:');
    expect(bullPrefix({ isCluster: false })).toBe('bull');
    expect(orgsyncKeyPrefix({ isCluster: true })).toBe('{orgsync}:');
    expect(queueKeyPrefix('jobs', { isCluster: true })).toBe('{orgsync}:jobs:');
    expect(bullPrefix({ isCluster: true })).toBe('{orgsync}');
  });
});
