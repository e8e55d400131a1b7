/**
 * Global set-up of the integration project: the Redis the tests use. With `REDIS_URL` set, that
 * one (the tests touch only keys and queues under their own unique names). Without it, a private
 * `redis-server` on a free loopback port, started here and stopped after the run, so the suite
 * never writes to a Redis it did not start. Tests read the URL with `inject('redisUrl')`
 * (test/integration/queue-helpers.ts `REDIS_URL`).
 */
import type { TestProject } from 'vitest/node';
import { NO_REDIS_SERVER, startPrivateRedis } from '../helpers/redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const configured = process.env.REDIS_URL;
  if (configured) {
    project.provide('redisUrl', configured);
    return undefined;
  }
  // A free port can be taken between finding it and binding it: try a few.
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    try {
      const redis = await startPrivateRedis();
      project.provide('redisUrl', redis.url);
      return () => redis.stop();
    } catch (error) {
      lastError = error;
      if (error instanceof Error && error.message === NO_REDIS_SERVER) break;
    }
  }
  throw lastError;
}
