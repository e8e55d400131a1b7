import RedisMock from 'ioredis-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createWatermarkStore } from '../../../src/sources/watermark-store.js';

const clients: InstanceType<typeof RedisMock>[] = [];

function redis(): InstanceType<typeof RedisMock> {
  const client = new RedisMock();
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) {
    await client.flushall();
    client.disconnect();
  }
});

describe('createWatermarkStore', () => {
  it('has no watermark for a source never synced', async () => {
    expect(await createWatermarkStore(redis()).get('postgres:accounts')).toBeNull();
  });

  it('returns the instant that was set, to the millisecond', async () => {
    const store = createWatermarkStore(redis());
    const at = new Date('2024-05-06T07:08:09.123Z');
    await store.set('postgres:accounts', at);
    expect(await store.get('postgres:accounts')).toEqual(at);
  });

  it('keeps one watermark per source under the key prefix', async () => {
    const client = redis();
    const store = createWatermarkStore(client, 'tenant-a');
    await store.set('postgres:accounts', new Date('2024-01-01T00:00:00Z'));
    await store.set('https://api.example.test/accounts', new Date('2024-02-01T00:00:00Z'));
    expect(await client.get('tenant-a:watermark:postgres:accounts')).toBe('2024-01-01T00:00:00.000Z');
    expect((await store.get('https://api.example.test/accounts'))?.toISOString()).toBe('2024-02-01T00:00:00.000Z');
    expect(await createWatermarkStore(client).get('postgres:accounts')).toBeNull();
  });

  it('moves the watermark when set again, backwards too', async () => {
    const store = createWatermarkStore(redis());
    await store.set('csv:a.csv', new Date('2024-03-01T00:00:00Z'));
    await store.set('csv:a.csv', new Date('2024-02-01T00:00:00Z'));
    expect((await store.get('csv:a.csv'))?.toISOString()).toBe('2024-02-01T00:00:00.000Z');
  });

  it('treats an unreadable value as no watermark, so the next run is a full one', async () => {
    const client = redis();
    await client.set('orgsync:watermark:postgres:query', 'yesterday-ish');
    expect(await createWatermarkStore(client).get('postgres:query')).toBeNull();
  });

  it('refuses an invalid date and leaves the watermark as it was', async () => {
    const store = createWatermarkStore(redis());
    await store.set('postgres:query', new Date('2024-01-01T00:00:00Z'));
    await expect(store.set('postgres:query', new Date('nonsense'))).rejects.toThrow(RangeError);
    expect((await store.get('postgres:query'))?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
  });
});
