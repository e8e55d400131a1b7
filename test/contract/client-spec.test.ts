/**
 * Every client call, success and error, through Prism validating against the official spec
 * (`prism proxy spec/scalekit.yaml <emulator> --errors`; spec/scalekit.yaml is the official spec's part that orgsync uses). Prism reports what it
 * finds wrong in an `sl-violations` header; a wrapped `fetch` collects them per request.
 *
 * Where the spec is silent, the test says so next to the case:
 * - `/oauth/token` is no path of the spec (only the security scheme's `tokenUrl`), so Prism
 *   answers it 404 NO_PATH_MATCHED; the client gets its token from the emulator directly
 *   (`tokenUrl`).
 * - Most operations document only their success status. A 404, 409 or 400 that Scalekit surely
 *   sends there draws Prism's warning "Unable to match the returned status code"; the test
 *   accepts exactly that warning, on exactly those answers, and nothing else.
 */
import { Agent, fetch as undiciFetch } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createScalekitClient, type ScalekitClient } from '../../src/scalekit/client.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/scalekit/errors.js';
import { unlimitedBudget } from '../../src/scalekit/token-bucket.js';
import type { FetchLike } from '../../src/scalekit/transport.js';
import { useEmulatorBehindPrism } from '../helpers/emulator-behind-prism.js';

interface Violation {
  location?: string[];
  severity?: string;
  message?: string;
}
interface Exchange {
  method: string;
  url: string;
  status: number;
  violations: Violation[];
}

const undocumentedStatus = /Unable to match the returned status code/;

const running = useEmulatorBehindPrism({ port: 0 });
let agent: Agent;
let exchanges: Exchange[] = [];
let api: ScalekitClient;

/** undici's fetch, recording Prism's verdict on every exchange. */
const recordingFetch: FetchLike = async (url, init) => {
  const response = await undiciFetch(url, init);
  const header = response.headers.get('sl-violations');
  const parsed: unknown = header === null ? [] : JSON.parse(header);
  exchanges.push({
    method: init.method,
    url,
    status: response.status,
    violations: Array.isArray(parsed) ? parsed : [],
  });
  return response;
};

/** The exchanges that went through Prism (token requests go straight to the emulator). */
function throughPrism(): Exchange[] {
  return exchanges.filter((e) => e.url.startsWith(running.prism.url));
}

/** Asserts Prism found nothing wrong with any exchange so far, bar the listed undocumented statuses. */
function expectConforming(allowedUndocumented: readonly number[] = []): void {
  expect(throughPrism().length).toBeGreaterThan(0);
  for (const exchange of throughPrism()) {
    // Prism's own answers (route not in the spec, request invalid) never reach the emulator.
    expect(exchange.status, `${exchange.method} ${exchange.url}`).not.toBe(422);
    const unexpected = exchange.violations.filter(
      (v) =>
        !(
          allowedUndocumented.includes(exchange.status) &&
          v.severity === 'Warning' &&
          undocumentedStatus.test(v.message ?? '')
        ),
    );
    expect(unexpected, `${exchange.method} ${exchange.url} -> ${exchange.status}`).toEqual([]);
  }
}

beforeEach(() => {
  exchanges = [];
  agent = new Agent({ keepAliveTimeout: 1_000 });
  api = createScalekitClient({
    environmentUrl: running.prism.url,
    tokenUrl: `${running.emulator.url}/oauth/token`,
    clientId: 'contract',
    clientSecret: 'contract-secret',
    rateBudget: unlimitedBudget,
    fetch: recordingFetch,
    dispatcher: agent,
    maxAttempts: 1,
  });
});

afterEach(async () => {
  await api.close();
  await agent.close();
});

describe('client calls conform to scalekit.yaml (through Prism)', () => {
  it('listOrganizations: several pages', async () => {
    for (let i = 0; i < 150; i += 1)
      running.emulator.store.create({ display_name: `Org ${i}`, external_id: `us-east-${i}` });
    const sizes: number[] = [];
    for await (const page of api.listOrganizations()) sizes.push(page.organizations.length);
    expect(sizes).toEqual([100, 50]);
    expectConforming();
  });

  it('createOrganization: 201', async () => {
    await expect(
      api.createOrganization({ display_name: 'Acme', external_id: 'us-east-1', metadata: { billing_plan: 'pro' } }),
    ).resolves.toMatchObject({
      display_name: 'Acme',
    });
    expect(throughPrism().map((e) => e.status)).toEqual([201]);
    expectConforming();
  });

  it('createOrganization: 409 on a duplicate external ID (spec documents only 201)', async () => {
    await api.createOrganization({ display_name: 'Acme', external_id: 'us-east-1' });
    await expect(api.createOrganization({ display_name: 'Twin', external_id: 'us-east-1' })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expectConforming([409]);
  });

  it('createOrganization: 400 on a too-long display name (spec documents only 201)', async () => {
    // The request itself is valid for Prism: the spec states no maxLength on display_name.
    await expect(api.createOrganization({ display_name: 'x'.repeat(201) })).rejects.toBeInstanceOf(ValidationError);
    expectConforming([400]);
  });

  it('getOrganization: 200, and 404 (spec documents only 200)', async () => {
    const created = await api.createOrganization({ display_name: 'Acme' });
    await expect(api.getOrganization(created.id)).resolves.toMatchObject({ id: created.id });
    await expect(api.getOrganization('org_404')).rejects.toBeInstanceOf(NotFoundError);
    expectConforming([404]);
  });

  it('getOrganizationByExternalId: 200 with an awkward external ID, and 404 -> null (documented)', async () => {
    const externalId = 'us-east-a/b?c#d%e f+g é';
    await api.createOrganization({ display_name: 'Acme', external_id: externalId });
    await expect(api.getOrganizationByExternalId(externalId)).resolves.toMatchObject({ external_id: externalId });
    await expect(api.getOrganizationByExternalId('us-east-missing')).resolves.toBeNull();
    expectConforming();
  });

  it('updateOrganization: 200, and 404 (spec documents only 200)', async () => {
    const created = await api.createOrganization({
      display_name: 'Acme',
      external_id: 'us-east-1',
      metadata: { tax_id: 'T1' },
    });
    await expect(
      api.updateOrganization(created.id, { display_name: 'Acme Inc', metadata: { tax_id: 'T2' } }),
    ).resolves.toMatchObject({
      display_name: 'Acme Inc',
      metadata: { tax_id: 'T2' },
    });
    await expect(api.updateOrganization('org_404', { display_name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    expectConforming([404]);
  });

  it('updateOrganization: 400 on too many metadata pairs (spec documents only 200)', async () => {
    const created = await api.createOrganization({ display_name: 'Acme' });
    const metadata = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`key_${i}`, 'v']));
    await expect(api.updateOrganization(created.id, { metadata })).rejects.toBeInstanceOf(ValidationError);
    expectConforming([400]);
  });

  it('deleteOrganization: 200, and 404 (spec documents only 200)', async () => {
    const created = await api.createOrganization({ display_name: 'Acme' });
    await expect(api.deleteOrganization(created.id)).resolves.toBeUndefined();
    await expect(api.deleteOrganization(created.id)).rejects.toBeInstanceOf(NotFoundError);
    expectConforming([404]);
  });

  it('listDirectories: 200 with a SCIM directory, and 404 (spec documents only 200)', async () => {
    const created = await api.createOrganization({ display_name: 'Acme' });
    running.emulator.store.addDirectory({ organization_id: created.id, directory_type: 'SCIM', enabled: true });
    await expect(api.listDirectories(created.id)).resolves.toMatchObject([{ directory_type: 'SCIM', enabled: true }]);
    await expect(api.listDirectories('org_404')).rejects.toBeInstanceOf(NotFoundError);
    expectConforming([404]);
  });

  it('a token the server no longer accepts: 401, one refresh, then 200 (spec documents no 401 per operation)', async () => {
    const created = await api.createOrganization({ display_name: 'Acme' });
    running.emulator.expireTokens();
    await expect(api.getOrganization(created.id)).resolves.toMatchObject({ id: created.id });
    expect(throughPrism().map((e) => e.status)).toEqual([201, 401, 200]);
    expectConforming([401]);
  });
});
