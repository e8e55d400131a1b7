import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { watchOutages } from '../../../src/store/redis-connections.js';

function watched() {
  const connection = new EventEmitter();
  const lines: { level: string; fields: object; message: string }[] = [];
  const log = {
    warn: (fields: object, message: string) => lines.push({ level: 'warn', fields, message }),
    info: (fields: object, message: string) => lines.push({ level: 'info', fields, message }),
  };
  watchOutages(connection as unknown as Redis, 'redis://user:s3cret@redis.internal:6380/2', log, 5_000);
  return { connection, lines };
}

describe('watchOutages', () => {
  it('says once that Redis went away, however many reconnect attempts, and once that it is back', () => {
    const { connection, lines } = watched();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      connection.emit('close');
      connection.emit('reconnecting', 100);
    }
    connection.emit('ready');
    connection.emit('close');
    connection.emit('reconnecting', 100);
    connection.emit('ready');
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['warn', 'Redis connection lost; reconnecting, commands wait for it'],
      ['info', 'Redis connection restored'],
      ['warn', 'Redis connection lost; reconnecting, commands wait for it'],
      ['info', 'Redis connection restored'],
    ]);
    expect(lines[0]?.fields).toEqual({ redis: 'redis://redis.internal:6380/2', timeout_ms: 5_000 });
    expect(JSON.stringify(lines)).not.toContain('s3cret');
  });

  it('says nothing when the connection is closed on purpose (no reconnect follows)', () => {
    const { connection, lines } = watched();
    connection.emit('ready');
    connection.emit('close');
    connection.emit('end');
    expect(lines).toEqual([]);
  });
});
