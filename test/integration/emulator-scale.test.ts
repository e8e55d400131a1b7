import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorToken } from '../helpers/emulator.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import type { EmulatorSeed } from '../../src/emulator/seed-schema.js';

const ORGANIZATIONS = 200_000;
let emulator: RunningEmulator;
let token: string;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${emulator.url}${path}`, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  const seed: EmulatorSeed = {
    organizations: Array.from({ length: ORGANIZATIONS }, (_, i) => ({
      display_name: `Customer ${i}`,
      external_id: `us-east-CUST-${i}`,
      metadata: { billing_plan: i % 2 ? 'gold' : 'silver', invoice_email: `billing${i}@example.com` },
    })),
  };
  emulator = await startEmulator({ seed });
  token = await emulatorToken(emulator.url);
});
afterAll(async () => {
  agent.destroy();
  await emulator.close();
});

describe('emulator: 200,000 organizations', () => {
  it('serves a 100-organization page from the store in well under a millisecond of CPU', () => {
    let pageToken: string | undefined;
    // Warm up the JIT, as a long-running emulator would be.
    for (let i = 0; i < 50; i += 1) emulator.store.listPage({ pageSize: 100 });
    const pages = 2_000; // every organization once
    const before = cpuMs();
    for (let i = 0; i < pages; i += 1) {
      const page = emulator.store.listPage({ pageSize: 100, pageToken });
      if ('kind' in page) throw new Error(page.message);
      pageToken = page.nextPageToken;
    }
    const perPageMs = (cpuMs() - before) / pages;
    expect(pageToken).toBe('');
    expect(perPageMs).toBeLessThan(1);
  });

  it('lists pages over HTTP with bounded CPU per page, client included, and looks up by external ID', async () => {
    let pageToken = '';
    for (let i = 0; i < 20; i += 1) await get('/api/v1/organizations?page_size=100');
    const pages = 500;
    const before = cpuMs();
    for (let i = 0; i < pages; i += 1) {
      const res = await get(`/api/v1/organizations?page_size=100${pageToken ? `&page_token=${pageToken}` : ''}`);
      expect(res.status).toBe(200);
      pageToken = (JSON.parse(res.body) as { next_page_token: string }).next_page_token;
    }
    const perPageMs = (cpuMs() - before) / pages;
    // Generous: this process is both client and server and parses each 30 KB page too.
    expect(perPageMs).toBeLessThan(5);
    const hit = await get('/api/v1/organizations:external/us-east-CUST-199999');
    expect(JSON.parse(hit.body)).toMatchObject({ organization: { display_name: 'Customer 199999' } });
    const last = JSON.parse((await get('/api/v1/organizations?page_size=10')).body) as { total_size: number };
    expect(last.total_size).toBe(ORGANIZATIONS);
  });
});
