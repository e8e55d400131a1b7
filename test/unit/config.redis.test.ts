import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { configProblemsOf } from '../helpers/config-problems.js';

const problemsOf = (env: Record<string, string>): string[] => configProblemsOf(() => loadConfig({ env }));

describe('the Redis settings', () => {
  it('default to one standalone server', () => {
    const config = loadConfig({ env: {} });
    expect(config.redisMode).toBe('standalone');
    expect(config.redisSentinelName).toBeUndefined();
  });

  it('take comma-separated seed nodes in cluster mode', () => {
    const config = loadConfig({
      env: { ORGSYNC_REDIS_MODE: 'cluster', REDIS_URL: 'redis://127.0.0.1:7000, redis://127.0.0.1:7001' },
    });
    expect(config.redisMode).toBe('cluster');
    expect(config.redisUrl).toBe('redis://127.0.0.1:7000, redis://127.0.0.1:7001');
  });

  it('refuse several URLs in standalone mode, naming the mode setting', () => {
    const problems = problemsOf({ REDIS_URL: 'redis://a:1,redis://b:2' });
    expect(problems).toEqual([
      expect.stringMatching(/^REDIS_URL: expected one URL in standalone mode.*ORGSYNC_REDIS_MODE/),
    ]);
  });

  it('require the master name in sentinel mode', () => {
    const problems = problemsOf({ ORGSYNC_REDIS_MODE: 'sentinel', REDIS_URL: 'redis://127.0.0.1:26379' });
    expect(problems).toEqual([
      expect.stringMatching(/^ORGSYNC_REDIS_SENTINEL_NAME is required with ORGSYNC_REDIS_MODE=sentinel/),
    ]);
    const config = loadConfig({
      env: {
        ORGSYNC_REDIS_MODE: 'sentinel',
        REDIS_URL: 'redis://127.0.0.1:26379',
        ORGSYNC_REDIS_SENTINEL_NAME: 'mymaster',
      },
    });
    expect(config.redisSentinelName).toBe('mymaster');
  });

  it('name an unknown mode and a bad seed without quoting a password', () => {
    expect(problemsOf({ ORGSYNC_REDIS_MODE: 'replicated' })).toEqual([
      expect.stringMatching(/^ORGSYNC_REDIS_MODE: expected one of standalone, cluster, sentinel/),
    ]);
    const problems = problemsOf({
      ORGSYNC_REDIS_MODE: 'cluster',
      REDIS_URL: 'rediss://alice:s3cret-pw@10.0.0.1:7000,http://alice:s3cret-pw@10.0.0.2:7000',
    });
    expect(problems).toEqual([expect.stringMatching(/^REDIS_URL: URL 2 of 2 is not a redis:\/\/ or rediss:\/\/ URL/)]);
    expect(problems.join('\n')).not.toContain('s3cret-pw');
  });

  it('refuse a database other than 0 on a cluster', () => {
    expect(problemsOf({ ORGSYNC_REDIS_MODE: 'cluster', REDIS_URL: 'redis://127.0.0.1:7000/3' })).toEqual([
      expect.stringMatching(/^REDIS_URL: the URL: a Redis Cluster has only database 0/),
    ]);
  });
});
