import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emulatorToken } from '../helpers/emulator.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';

let emulator: RunningEmulator;
let token: string;

async function api(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${emulator.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function violations(body: Record<string, unknown>): unknown {
  expect(body['code']).toBe(3);
  const details = body['details'] as Array<Record<string, unknown>>;
  expect(details[0]?.['@type']).toBe('type.googleapis.com/scalekit.v1.errdetails.ErrorInfo');
  return (details[0]?.['validation_error_info'] as { field_violations: unknown }).field_violations;
}

beforeAll(async () => {
  emulator = await startEmulator({ clientId: 'cid', clientSecret: 'secret' });
  token = await emulatorToken(emulator.url, 'cid', 'secret');
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.store.reset();
});

describe('emulator: organization rules', () => {
  it('creates an organization with 201 and emits it like protojson', async () => {
    const res = await api('POST', '/api/v1/organizations', {
      display_name: 'Acme',
      external_id: 'us-east-1',
      metadata: { plan: 'gold' },
    });
    expect(res.status).toBe(201);
    const org = res.body['organization'] as Record<string, unknown>;
    expect(org['id']).toMatch(/^org_\d{17}$/);
    expect(org).toMatchObject({
      display_name: 'Acme',
      external_id: 'us-east-1',
      metadata: { plan: 'gold' },
      region_code: 'US',
    });
    expect(org['create_time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);
    expect(org['update_time']).toBe(org['create_time']);
    expect(org['settings']).toEqual({
      features: [
        { name: 'sso', enabled: false },
        { name: 'dir_sync', enabled: false },
      ],
    });
  });

  it('omits external_id when unset and emits metadata {} when empty', async () => {
    const res = await api('POST', '/api/v1/organizations', { displayName: 'No external' });
    const org = res.body['organization'] as Record<string, unknown>;
    expect(org['display_name']).toBe('No external');
    expect('external_id' in org).toBe(false);
    expect(org['metadata']).toEqual({});
  });

  it('answers 409 ALREADY_EXISTS to a duplicate external ID, on create and on update', async () => {
    await api('POST', '/api/v1/organizations', { display_name: 'A', external_id: 'dup' });
    const dup = await api('POST', '/api/v1/organizations', { display_name: 'B', external_id: 'dup' });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ code: 6, details: [{ error_code: 'ALREADY_EXISTS' }] });
    const other = await api('POST', '/api/v1/organizations', { display_name: 'C', external_id: 'other' });
    const id = (other.body['organization'] as { id: string }).id;
    const clash = await api('PATCH', `/api/v1/organizations/${id}`, { external_id: 'dup' });
    expect(clash.status).toBe(409);
    expect(emulator.store.size).toBe(2);
  });

  it('rejects a 256-character external ID with 400 and a field violation, and accepts 255', async () => {
    const bad = await api('POST', '/api/v1/organizations', { display_name: 'A', external_id: 'x'.repeat(256) });
    expect(bad.status).toBe(400);
    expect(violations(bad.body)).toEqual([
      { field: 'external_id', description: expect.any(String), constraint: 'string.max_len' },
    ]);
    const ok = await api('POST', '/api/v1/organizations', { display_name: 'A', external_id: 'x'.repeat(255) });
    expect(ok.status).toBe(201);
  });

  it('enforces display_name 1-200 characters and requires it on create', async () => {
    expect((await api('POST', '/api/v1/organizations', { display_name: '' })).status).toBe(400);
    expect((await api('POST', '/api/v1/organizations', { display_name: 'n'.repeat(201) })).status).toBe(400);
    const missing = await api('POST', '/api/v1/organizations', { external_id: 'e' });
    expect(missing.status).toBe(400);
    expect(violations(missing.body)).toEqual([expect.objectContaining({ field: 'display_name' })]);
    expect((await api('POST', '/api/v1/organizations', { display_name: 'n'.repeat(200) })).status).toBe(201);
  });

  it('rejects 11 metadata pairs, a 26-character key, a 2-character key and a 257-character value', async () => {
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`key${i}`, 'v']));
    const cases: Array<[Record<string, string>, string]> = [
      [eleven, 'map.max_pairs'],
      [{ ['k'.repeat(26)]: 'v' }, 'string.max_len'],
      [{ ab: 'v' }, 'string.min_len'],
      [{ key: 'v'.repeat(257) }, 'string.max_len'],
      [{ key: '' }, 'string.min_len'],
    ];
    for (const [metadata, constraint] of cases) {
      const res = await api('POST', '/api/v1/organizations', { display_name: 'A', metadata });
      expect(res.status, JSON.stringify(metadata).slice(0, 40)).toBe(400);
      expect(violations(res.body)).toEqual([expect.objectContaining({ constraint })]);
    }
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`${'k'.repeat(24)}${i}`, 'v'.repeat(256)]));
    expect((await api('POST', '/api/v1/organizations', { display_name: 'A', metadata: ten })).status).toBe(201);
    expect(emulator.store.size).toBe(1);
  });

  it('applies the same limits on update', async () => {
    const created = await api('POST', '/api/v1/organizations', { display_name: 'A' });
    const id = (created.body['organization'] as { id: string }).id;
    expect((await api('PATCH', `/api/v1/organizations/${id}`, { metadata: { ['k'.repeat(26)]: 'v' } })).status).toBe(
      400,
    );
    expect((await api('PATCH', `/api/v1/organizations/${id}`, { display_name: '' })).status).toBe(400);
    expect((await api('PATCH', `/api/v1/organizations/${id}`, { external_id: 'e'.repeat(256) })).status).toBe(400);
  });

  it('answers 400 to malformed JSON and to values of the wrong type', async () => {
    const res = await fetch(`${emulator.url}/api/v1/organizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: '{"display_name":',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 3 });
    expect((await api('POST', '/api/v1/organizations', { display_name: 5 })).status).toBe(400);
    expect((await api('POST', '/api/v1/organizations', { display_name: 'A', metadata: { key: 1 } })).status).toBe(400);
  });

  it('ignores unknown keys on create, as grpc-gateway does', async () => {
    const res = await api('POST', '/api/v1/organizations', { display_name: 'A', colour: 'blue' });
    expect(res.status).toBe(201);
  });
});
