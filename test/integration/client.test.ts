import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { createScalekitClient, type ScalekitClient } from '../../src/scalekit/client.js';
import type { ScalekitClientOptions } from '../../src/scalekit/client-options.js';
import {
  NetworkError,
  NotFoundError,
  RateLimitedError,
  TimeoutError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
} from '../../src/scalekit/errors.js';
import { unlimitedBudget } from '../../src/scalekit/token-bucket.js';

let emulator: RunningEmulator;
const clients: ScalekitClient[] = [];

function client(extra: Partial<ScalekitClientOptions> = {}): ScalekitClient {
  const created = createScalekitClient({
    environmentUrl: emulator.url,
    clientId: 'orgsync-test',
    clientSecret: 'emulator-secret',
    rateBudget: unlimitedBudget,
    baseDelayMs: 5,
    maxDelayMs: 50,
    ...extra,
  });
  clients.push(created);
  return created;
}

beforeEach(async () => {
  emulator = await startEmulator({ port: 0, clientId: 'orgsync-test', clientSecret: 'emulator-secret' });
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await emulator.close();
});

describe('client against the emulator', () => {
  it('pages through the whole environment, 100 per page', async () => {
    await emulator.close();
    const organizations = Array.from({ length: 250 }, (_, i) => ({
      display_name: `Org ${i}`,
      external_id: `us-east-${i}`,
    }));
    emulator = await startEmulator({ port: 0, seed: { organizations } });
    const api = client();
    const pageSizes: number[] = [];
    const ids = new Set<string>();
    for await (const page of api.listOrganizations()) {
      expect(page.totalSize).toBe(250);
      pageSizes.push(page.organizations.length);
      for (const o of page.organizations) ids.add(o.id);
    }
    expect(pageSizes).toEqual([100, 100, 50]);
    expect(ids.size).toBe(250);
    expect(api.stats()).toEqual({ apiCalls: 3, tokenCalls: 1, retries: 0 });
    expect(emulator.counters().routes['GET /api/v1/organizations']).toEqual({ 200: 3 });
  });

  it('creates, reads (by ID and awkward external ID), updates, lists directories and deletes', async () => {
    const api = client();
    const externalId = 'us-east-a/b?c#d%e f+g é';
    const created = await api.createOrganization({
      display_name: 'Acme',
      external_id: externalId,
      metadata: { billing_plan: 'pro' },
    });
    expect(created).toMatchObject({ display_name: 'Acme', external_id: externalId, metadata: { billing_plan: 'pro' } });
    await expect(api.getOrganizationByExternalId(externalId)).resolves.toMatchObject({ id: created.id });
    await expect(api.getOrganization(created.id)).resolves.toMatchObject({ external_id: externalId });

    const renamed = await api.updateOrganization(created.id, { display_name: 'Acme Inc' });
    expect(renamed).toMatchObject({ display_name: 'Acme Inc', metadata: { billing_plan: 'pro' } });
    const cleared = await api.updateOrganization(created.id, { metadata: {} });
    expect(cleared.metadata).toEqual({});

    expect(await api.listDirectories(created.id)).toEqual([]);
    emulator.store.addDirectory({ organization_id: created.id, directory_type: 'SCIM', enabled: true });
    expect((await api.listDirectories(created.id)).map((d) => [d.directory_type, d.enabled])).toEqual([['SCIM', true]]);

    await api.deleteOrganization(created.id);
    await expect(api.getOrganization(created.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(api.getOrganizationByExternalId(externalId)).resolves.toBeNull();
  });

  it('maps each error the emulator gives to its class', async () => {
    const api = client({ maxAttempts: 1 });
    const first = await api.createOrganization({ display_name: 'One', external_id: 'us-east-1' });
    await expect(api.createOrganization({ display_name: 'Twin', external_id: 'us-east-1' })).rejects.toMatchObject({
      code: 'ERR_SCALEKIT_CONFLICT',
      status: 409,
      errorCode: 'ALREADY_EXISTS',
    });
    const invalid = await api.updateOrganization(first.id, { display_name: 'x'.repeat(201) }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect(invalid instanceof ValidationError && invalid.fieldViolations.map((v) => v.field)).toEqual(['display_name']);
    await expect(api.getOrganization('org_404')).rejects.toBeInstanceOf(NotFoundError);
    await expect(api.deleteOrganization('org_404')).rejects.toBeInstanceOf(NotFoundError);
    await expect(api.listDirectories('org_404')).rejects.toBeInstanceOf(NotFoundError);

    emulator.injectFault({ kind: 'http-503' });
    await expect(api.getOrganization(first.id)).rejects.toBeInstanceOf(UnavailableError);
    emulator.injectFault({ kind: 'http-502' });
    await expect(api.getOrganization(first.id)).rejects.toMatchObject({
      code: 'ERR_SCALEKIT_UNAVAILABLE',
      status: 502,
    });
    emulator.injectFault({ kind: 'drop' });
    await expect(api.getOrganization(first.id)).rejects.toBeInstanceOf(NetworkError);
    const slow = client({ maxAttempts: 1, timeoutMs: 200 });
    emulator.injectFault({ kind: 'timeout' });
    await expect(slow.getOrganization(first.id)).rejects.toBeInstanceOf(TimeoutError);
    emulator.configure({ rateLimit: { perSecond: 1, retryAfter: true } });
    await api.getOrganization(first.id).catch(() => undefined);
    await expect(api.getOrganization(first.id)).rejects.toBeInstanceOf(RateLimitedError);
    await expect(api.createOrganization({ display_name: 'Twin', external_id: 'us-east-1' })).rejects.toBeInstanceOf(
      RateLimitedError,
    );
  });

  it('refuses wrong client credentials with UnauthenticatedError', async () => {
    const api = client({ clientSecret: 'wrong-secret' });
    const error = await api.getOrganization('org_1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect(String(error)).not.toContain('wrong-secret');
  });

  it('refreshes the token once after the emulator expires it', async () => {
    const api = client();
    const created = await api.createOrganization({ display_name: 'One' });
    expect(emulator.expireTokens()).toBe(1);
    await expect(api.getOrganization(created.id)).resolves.toMatchObject({ id: created.id });
    expect(api.stats().tokenCalls).toBe(2);
    expect(emulator.counters().routes['GET /api/v1/organizations/{id}']).toEqual({ 200: 1, 401: 1 });
  });

  it('retries through 429s, 503s, 502 pages and dropped connections', async () => {
    const api = client();
    const created = await api.createOrganization({ display_name: 'One', external_id: 'us-east-1' });
    emulator.injectFault({ kind: 'http-503', count: 2 });
    emulator.injectFault({ kind: 'http-502' });
    emulator.injectFault({ kind: 'drop' });
    await expect(api.getOrganization(created.id)).resolves.toMatchObject({ id: created.id });
    expect(emulator.counters().totals.faults).toBe(4);
  });

  it('waits out 429s (Retry-After) and pauses the shared budget', async () => {
    const pauses: number[] = [];
    const api = client({
      maxDelayMs: 2_000,
      rateBudget: {
        acquire: (signal) => unlimitedBudget.acquire(signal),
        pause: (ms) => void pauses.push(ms),
        waitedMs: 0,
      },
    });
    const created = await api.createOrganization({ display_name: 'One', external_id: 'us-east-1' });
    emulator.configure({ rateLimit: { perSecond: 50, retryAfter: true } });
    const reads = await Promise.all(Array.from({ length: 80 }, () => api.getOrganizationByExternalId('us-east-1')));
    expect(reads.every((o) => o?.id === created.id)).toBe(true);
    expect(emulator.counters().totals.rateLimited).toBeGreaterThan(0);
    expect(pauses.length).toBe(emulator.counters().totals.rateLimited);
    expect(pauses.every((ms) => ms === 1_000)).toBe(true);
  });

  it('a create whose answer is lost (drop or timeout after the write) yields one organization, no twin', async () => {
    const api = client({ timeoutMs: 300 });
    emulator.injectFault({ method: 'POST', route: '/api/v1/organizations', kind: 'drop', phase: 'after' });
    const first = await api.createOrganization({ display_name: 'Dropped', external_id: 'us-east-drop' });
    emulator.injectFault({ method: 'POST', route: '/api/v1/organizations', kind: 'timeout', phase: 'after' });
    const second = await api.createOrganization({ display_name: 'Timed out', external_id: 'us-east-timeout' });
    emulator.injectFault({ method: 'POST', route: '/api/v1/organizations', kind: 'http-503', phase: 'before' });
    const third = await api.createOrganization({ display_name: 'Refused', external_id: 'us-east-503' });
    const all = emulator.store.snapshot().organizations;
    for (const created of [first, second, third]) {
      expect(all.filter((o) => o.external_id === created.external_id)).toHaveLength(1);
    }
    expect(emulator.counters().writes.create).toBe(3);
  });

  it('under random faults, concurrent creates converge with no duplicate external ID', async () => {
    emulator.configure({ faultRate: 0.3, randomSeed: 7 });
    const api = client({ timeoutMs: 300, maxAttempts: 10 });
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        api.createOrganization({ display_name: `Org ${i}`, external_id: `us-west-${i}` }),
      ),
    );
    const failed = results.filter((r) => r.status === 'rejected');
    expect(failed).toEqual([]);
    const organizations = emulator.store.snapshot().organizations;
    const externalIds = organizations.map((o) => o.external_id);
    expect(new Set(externalIds).size).toBe(externalIds.length);
    expect(organizations).toHaveLength(40);
  });
});
