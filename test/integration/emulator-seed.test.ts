import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSeedFile, startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import type { EmulatorSeed } from '../../src/emulator/seed-schema.js';

let dir: string;
const started: RunningEmulator[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emulator-seed-'));
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((e) => e.close()));
  await rm(dir, { recursive: true, force: true });
});

async function seedFile(value: unknown): Promise<string> {
  const path = join(dir, 'seed.json');
  await writeFile(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

const SEED: EmulatorSeed = {
  organizations: [
    {
      id: 'org_11111111111111111',
      display_name: 'Fixed',
      external_id: 'us-east-1',
      metadata: { plan: 'gold' },
      create_time: '2025-02-15T06:23:44.560Z',
      update_time: '2025-03-01T00:00:00Z',
    },
    { display_name: 'Generated', external_id: 'us-east-2' },
    { display_name: 'No external ID' },
  ],
  directories: [
    { organization_id: 'org_11111111111111111', directory_type: 'SCIM', enabled: true, directory_provider: 'OKTA' },
  ],
};

describe('emulator: seed', () => {
  it('loads organizations and directories from a file, in the API shapes', async () => {
    const emulator = await startEmulator({ seed: await loadSeedFile(await seedFile(SEED)) });
    started.push(emulator);
    const state = (await (await fetch(`${emulator.url}/_emulator/state`)).json()) as {
      organizations: Array<Record<string, unknown>>;
      directories: Array<Record<string, unknown>>;
    };
    expect(state.organizations.map((o) => o['display_name'])).toEqual(['Fixed', 'Generated', 'No external ID']);
    expect(state.organizations[0]).toMatchObject({
      id: 'org_11111111111111111',
      create_time: '2025-02-15T06:23:44.560Z',
      update_time: '2025-03-01T00:00:00Z',
      metadata: { plan: 'gold' },
    });
    expect(state.organizations[1]?.['id']).toMatch(/^org_\d{17}$/);
    expect(state.organizations[2]).not.toHaveProperty('external_id');
    expect(state.directories).toEqual([
      expect.objectContaining({ organization_id: 'org_11111111111111111', directory_type: 'SCIM', enabled: true }),
    ]);
  });

  it('returns to the seed on POST /_emulator/reset', async () => {
    const emulator = await startEmulator({ seed: SEED });
    started.push(emulator);
    emulator.store.create({ display_name: 'Extra' });
    emulator.store.delete('org_11111111111111111');
    const res = await fetch(`${emulator.url}/_emulator/reset`, {
      method: 'POST',
      body: JSON.stringify({ state: true }),
    });
    expect(await res.json()).toEqual({ reset: { counters: false, state: true, faults: false } });
    expect(emulator.store.size).toBe(3);
    expect(emulator.store.listDirectories('org_11111111111111111')).toHaveLength(1);
  });

  it('refuses a seed that breaks a rule, naming the entry', async () => {
    const duplicate = {
      organizations: [
        { display_name: 'A', external_id: 'x' },
        { display_name: 'B', external_id: 'x' },
      ],
    };
    await expect(startEmulator({ seed: duplicate })).rejects.toThrow(/seed organization #1 \(x\).*already exists/);
    const tooLong = { organizations: [{ display_name: 'A', metadata: { ['k'.repeat(26)]: 'v' } }] };
    await expect(startEmulator({ seed: tooLong })).rejects.toThrow(/seed organization #0/);
    const orphan = { directories: [{ organization_id: 'org_404' }] };
    await expect(startEmulator({ seed: orphan })).rejects.toThrow(/seed directory #0 \(organization org_404\)/);
  });

  it('refuses a file that is not JSON or not a seed, saying where', async () => {
    await expect(loadSeedFile(await seedFile('{ nope'))).rejects.toThrow(/is not valid JSON/);
    await expect(loadSeedFile(await seedFile({ organizations: [{ external_id: 'no-name' }] }))).rejects.toThrow(
      /organizations\.0\.display_name/,
    );
    await expect(loadSeedFile(join(dir, 'missing.json'))).rejects.toThrow(/Cannot read the emulator seed file/);
  });
});
