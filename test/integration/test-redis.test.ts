import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { startPrivateRedis } from '../helpers/redis-server.js';
import { REDIS_URL, testRedis } from './queue-helpers.js';

describe("the tests' Redis", () => {
  it('is REDIS_URL when set, otherwise a private redis-server in a temporary directory', async () => {
    const redis = testRedis();
    try {
      if (process.env.REDIS_URL) expect(REDIS_URL).toBe(process.env.REDIS_URL);
      else {
        const [, dir] = (await redis.config('GET', 'dir')) as [string, string];
        expect(dir.startsWith(`${tmpdir()}/orgsync-test-redis-`), dir).toBe(true);
      }
    } finally {
      await redis.quit();
    }
  });

  it('a private redis-server answers until stopped, keeps nothing on disk and leaves nothing behind', async () => {
    const server = await startPrivateRedis();
    const client = new Redis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    const [, dir] = (await client.config('GET', 'dir')) as [string, string];
    const [, save] = (await client.config('GET', 'save')) as [string, string];
    expect(await client.ping()).toBe('PONG');
    expect(save).toBe('');
    await server.stop();
    await expect(client.ping()).rejects.toThrow();
    client.disconnect();
    expect(existsSync(dir)).toBe(false);
    await server.stop(); // idempotent
  });
});
