import RedisMock from 'ioredis-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createWatermarkStore } from '../../../src/store/watermark-store.js';

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

  it('returns the instant that was set, to the microsecond and beyond', async () => {
    const client = redis();
    const store = createWatermarkStore(client);
    await store.set('postgres:accounts', '2024-05-06T07:08:09.123456000Z');
    expect(await store.get('postgres:accounts')).toBe('2024-05-06T07:08:09.123456000Z');
    expect(await client.get('orgsync:watermark:postgres:accounts')).toBe('2024-05-06T07:08:09.123456Z');
    await store.set('https://api.example.test/a', '2024-05-06T09:08:09.123456789+02:00');
    expect(await store.get('https://api.example.test/a')).toBe('2024-05-06T07:08:09.123456789Z');
  });

  it('reads a watermark written to the millisecond by earlier versions', async () => {
    const client = redis();
    await client.set('orgsync:watermark:postgres:accounts', '2024-05-06T07:08:09.123Z');
    expect(await createWatermarkStore(client).get('postgres:accounts')).toBe('2024-05-06T07:08:09.123000000Z');
  });

  it('keeps one watermark per source under the key prefix', async () => {
    const client = redis();
    const store = createWatermarkStore(client, 'tenant-a');
    await store.set('postgres:accounts', '2024-01-01T00:00:00Z');
    await store.set('https://api.example.test/accounts', '2024-02-01T00:00:00Z');
    expect(await client.get('tenant-a:watermark:postgres:accounts')).toBe('2024-01-01T00:00:00.000Z');
    expect(await store.get('https://api.example.test/accounts')).toBe('2024-02-01T00:00:00.000000000Z');
    expect(await createWatermarkStore(client).get('postgres:accounts')).toBeNull();
  });

  it('moves the watermark when set again, backwards too', async () => {
    const store = createWatermarkStore(redis());
    await store.set('csv:a.csv', '2024-03-01T00:00:00Z');
    await store.set('csv:a.csv', '2024-02-01T00:00:00Z');
    expect(await store.get('csv:a.csv')).toBe('2024-02-01T00:00:00.000000000Z');
  });

  it('treats an unreadable value as no watermark, so the next run is a full one', async () => {
    const client = redis();
    await client.set('orgsync:watermark:postgres:query', 'yesterday-ish');
    expect(await createWatermarkStore(client).get('postgres:query')).toBeNull();
  });

  it('refuses an invalid instant and leaves the watermark as it was', async () => {
    const store = createWatermarkStore(redis());
    await store.set('postgres:query', '2024-01-01T00:00:00Z');
    await expect(store.set('postgres:query', 'nonsense')).rejects.toThrow(RangeError);
    expect(await store.get('postgres:query')).toBe('2024-01-01T00:00:00.000000000Z');
  });
});
