import { createHash } from 'node:crypto';
import type { RedisConnection as Redis } from './redis-client.js';

/** A Lua script run with EVALSHA, loaded by EVAL the first time a server does not know it. */
export interface LuaScript {
  /** Runs the script atomically: one round trip (two the first time on a server). */
  run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
}

/** Wraps a Lua source; its SHA-1 is computed once. */
export function defineLuaScript(source: string): LuaScript {
  const sha = createHash('sha1').update(source).digest('hex');
  return {
    async run(redis, keys, args) {
      try {
        return await redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (error) {
        // Redis error replies are typed by their first word; NOSCRIPT means "not loaded yet".
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return redis.eval(source, keys.length, ...keys, ...args);
      }
    },
  };
}
