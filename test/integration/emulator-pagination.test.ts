import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emulatorToken } from '../helpers/emulator.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';

let emulator: RunningEmulator;
let token: string;

interface ListBody {
  organizations: Array<{ id: string; external_id?: string; display_name: string }>;
  next_page_token: string;
  prev_page_token: string;
  total_size: number;
}

async function list(query: string): Promise<{ status: number; body: ListBody }> {
  const res = await fetch(`${emulator.url}/api/v1/organizations${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as ListBody };
}

function seedOrganizations(count: number): void {
  for (let i = 0; i < count; i += 1) {
    const result = emulator.store.create({ display_name: `Org ${i}`, external_id: `ext-${i}` });
    if (!('id' in result)) throw new Error(result.message);
  }
}

async function listAll(pageSize: number): Promise<{ externalIds: string[]; pages: number }> {
  const externalIds: string[] = [];
  let pageToken = '';
  let pages = 0;
  do {
    const res = await list(`?page_size=${pageSize}${pageToken ? `&page_token=${encodeURIComponent(pageToken)}` : ''}`);
    expect(res.status).toBe(200);
    pages += 1;
    externalIds.push(...res.body.organizations.map((o) => o.external_id ?? ''));
    pageToken = res.body.next_page_token;
  } while (pageToken);
  return { externalIds, pages };
}

beforeAll(async () => {
  emulator = await startEmulator({});
  token = await emulatorToken(emulator.url);
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.store.reset();
});

describe('emulator: listing organizations', () => {
  it('pages through everything in creation order with total_size, and "" tokens on the last page', async () => {
    seedOrganizations(25);
    const first = await list('?page_size=10');
    expect(first.body.organizations).toHaveLength(10);
    expect(first.body.total_size).toBe(25);
    expect(first.body.prev_page_token).toBe('');
    expect(first.body.next_page_token).not.toBe('');
    const { externalIds, pages } = await listAll(10);
    expect(pages).toBe(3);
    expect(externalIds).toEqual(Array.from({ length: 25 }, (_, i) => `ext-${i}`));
    const second = await list(`?page_size=10&page_token=${first.body.next_page_token}`);
    const third = await list(`?page_size=10&page_token=${second.body.next_page_token}`);
    expect(third.body.organizations).toHaveLength(5);
    expect(third.body.next_page_token).toBe('');
    expect(third.body.prev_page_token).not.toBe('');
  });

  it('goes back with prev_page_token', async () => {
    seedOrganizations(25);
    const first = await list('?page_size=10');
    const second = await list(`?page_size=10&page_token=${first.body.next_page_token}`);
    const back = await list(`?page_size=10&page_token=${second.body.prev_page_token}`);
    expect(back.body.organizations.map((o) => o.id)).toEqual(first.body.organizations.map((o) => o.id));
    expect(back.body.prev_page_token).toBe('');
  });

  it('defaults page_size to 10, clamps it to 100, and accepts the camelCase name', async () => {
    seedOrganizations(150);
    expect((await list('')).body.organizations).toHaveLength(10);
    expect((await list('?page_size=0')).body.organizations).toHaveLength(10);
    expect((await list('?page_size=500')).body.organizations).toHaveLength(100);
    expect((await list('?pageSize=3')).body.organizations).toHaveLength(3);
  });

  it('answers 400 to a bad page token and to a page_size that is not a number', async () => {
    seedOrganizations(3);
    for (const query of ['?page_token=garbage', '?page_token=eyJwYWdlIjoyfQ', '?page_size=abc', '?page_size=-5']) {
      const res = await list(query);
      expect(res.status, query).toBe(400);
      expect((res.body as unknown as { code: number }).code).toBe(3);
    }
  });

  it('keeps a page token valid when organizations around it are deleted', async () => {
    seedOrganizations(30);
    const first = await list('?page_size=10');
    const lastOfFirst = first.body.organizations[9]?.id ?? '';
    const second = await list(`?page_size=10&page_token=${first.body.next_page_token}`);
    const firstOfSecond = second.body.organizations[0]?.id ?? '';
    expect(emulator.store.delete(lastOfFirst)).toBe(true);
    expect(emulator.store.delete(firstOfSecond)).toBe(true);
    const resumed = await list(`?page_size=10&page_token=${first.body.next_page_token}`);
    expect(resumed.body.organizations.map((o) => o.external_id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `ext-${i + 11}`),
    );
    expect(resumed.body.total_size).toBe(28);
  });

  it('lists every organization exactly once after many deletes (compaction keeps positions)', async () => {
    seedOrganizations(2000);
    const ids = emulator.store.snapshot().organizations.map((o) => o.id);
    ids.forEach((id, i) => {
      if (i % 3 !== 0) emulator.store.delete(id);
    });
    const { externalIds } = await listAll(100);
    expect(externalIds).toEqual(
      Array.from({ length: 2000 }, (_, i) => i)
        .filter((i) => i % 3 === 0)
        .map((i) => `ext-${i}`),
    );
  });

  it('filters by external_id exactly (0 or 1 result)', async () => {
    seedOrganizations(5);
    const hit = await list('?external_id=ext-3');
    expect(hit.body.organizations.map((o) => o.external_id)).toEqual(['ext-3']);
    expect(hit.body).toMatchObject({ next_page_token: '', prev_page_token: '', total_size: 1 });
    const miss = await list('?external_id=ext-');
    expect(miss.body).toEqual({ organizations: [], next_page_token: '', prev_page_token: '', total_size: 0 });
  });

  it('answers an empty environment with an empty page', async () => {
    expect((await list('')).body).toEqual({
      organizations: [],
      next_page_token: '',
      prev_page_token: '',
      total_size: 0,
    });
  });
});
