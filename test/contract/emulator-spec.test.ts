import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useEmulatorBehindPrism } from '../helpers/emulator-behind-prism.js';

/**
 * Every operation the emulator serves, success and error cases, through
 * `prism proxy spec/scalekit.yaml <emulator> --errors` (the official spec's part that orgsync uses). Prism checks each request and
 * each response against the official spec: an Error-severity violation becomes a 500/422 of its
 * own, and every violation is listed in the `sl-violations` header.
 */

interface Violation {
  location: string[];
  severity: string;
  message: string;
}

interface Checked {
  status: number;
  body: unknown;
  violations: Violation[];
}

let token: string;
/** When set, the emulator's clock stands still (the rate-limit case must not depend on Prism's speed). */
let frozenNowMs: number | undefined;
const running = useEmulatorBehindPrism({
  clientId: 'contract',
  clientSecret: 'contract-secret',
  now: () => frozenNowMs ?? Date.now(),
});

/** Prism's only complaint when an operation's spec lists no response for the status sent. */
const UNDOCUMENTED_STATUS = /^Unable to match the returned status code with those defined in the document/;

async function call(method: string, path: string, body?: unknown, bearer: string | null = token): Promise<Checked> {
  const headers: Record<string, string> = {};
  if (bearer !== null) headers['authorization'] = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${running.prism.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const header = res.headers.get('sl-violations');
  return {
    status: res.status,
    body: text === '' ? undefined : JSON.parse(text),
    violations: header ? (JSON.parse(header) as Violation[]) : [],
  };
}

/** The spec documents this status: nothing may be flagged. */
function expectClean(res: Checked, status: number): void {
  expect(res.violations, JSON.stringify(res.body)).toEqual([]);
  expect(res.status, JSON.stringify(res.body)).toBe(status);
}

/**
 * The spec is silent on this status for this operation (it documents only the success answer),
 * so Prism warns that the status is not in the document; nothing else may be flagged, and the
 * emulator's own answer must come through unchanged.
 */
function expectUndocumentedStatus(res: Checked, status: number, grpcCode: number): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.violations).toHaveLength(1);
  expect(res.violations[0]).toMatchObject({ severity: 'Warning', location: ['response'] });
  expect(res.violations[0]?.message).toMatch(UNDOCUMENTED_STATUS);
  expect(res.body).toMatchObject({
    code: grpcCode,
    details: [{ '@type': 'type.googleapis.com/scalekit.v1.errdetails.ErrorInfo' }],
  });
}

async function createOrganization(body: Record<string, unknown>): Promise<{ id: string }> {
  const res = await call('POST', '/api/v1/organizations', body);
  expectClean(res, 201);
  return (res.body as { organization: { id: string } }).organization;
}

beforeAll(async () => {
  // /oauth/token is outside the spec's paths (only its security scheme names it), so the helper sends it past Prism.
  const res = await fetch(`${running.prism.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'contract',
      client_secret: 'contract-secret',
    }),
  });
  expect(res.status).toBe(200);
  token = ((await res.json()) as { access_token: string }).access_token;
});

beforeEach(() => {
  running.emulator.configure({ rateLimit: null });
  frozenNowMs = undefined;
});

describe('contract: the emulator passes the official spec (Prism --errors)', () => {
  it('ListOrganization: empty, paged, filtered, page_size clamped', async () => {
    expectClean(await call('GET', '/api/v1/organizations'), 200);
    for (let i = 0; i < 12; i += 1)
      await createOrganization({
        display_name: `Org ${i}`,
        external_id: `ext-${i}`,
        metadata: { billing_plan: 'gold' },
      });
    await createOrganization({ display_name: 'No external ID' });
    const first = await call('GET', '/api/v1/organizations?page_size=10');
    expectClean(first, 200);
    const next = (first.body as { next_page_token: string }).next_page_token;
    const second = await call('GET', `/api/v1/organizations?page_size=10&page_token=${encodeURIComponent(next)}`);
    expectClean(second, 200);
    expect(second.body).toMatchObject({ next_page_token: '', total_size: 13 });
    expectClean(await call('GET', '/api/v1/organizations?page_size=500'), 200);
    expectClean(await call('GET', '/api/v1/organizations?external_id=ext-3'), 200);
  });

  it('ListOrganization: a bad page token is the documented 400', async () => {
    const res = await call('GET', '/api/v1/organizations?page_token=not-a-token');
    expectClean(res, 400);
    expect(res.body).toMatchObject({ code: 3, message: 'Invalid page token' });
  });

  it('CreateOrganization: the documented 201 with every optional field', async () => {
    await createOrganization({ display_name: 'Minimal' });
    await createOrganization({
      display_name: 'Full',
      external_id: 'full-1',
      metadata: { invoice_email: 'a@example.com' },
      slug: 'full-co',
      logo_url: 'https://cdn.example.com/logo.png',
    });
  });

  it('CreateOrganization: 400 on a rule, 409 on a duplicate external ID (the spec documents neither)', async () => {
    // The spec lists only 201 for create; Scalekit's validation (400) and uniqueness (409) answers are not in it.
    expectUndocumentedStatus(
      await call('POST', '/api/v1/organizations', { display_name: 'A', metadata: { ['k'.repeat(26)]: 'v' } }),
      400,
      3,
    );
    expectUndocumentedStatus(
      await call('POST', '/api/v1/organizations', { display_name: 'A', external_id: 'x'.repeat(256) }),
      400,
      3,
    );
    await createOrganization({ display_name: 'A', external_id: 'taken' });
    expectUndocumentedStatus(
      await call('POST', '/api/v1/organizations', { display_name: 'B', external_id: 'taken' }),
      409,
      6,
    );
  });

  it('GetOrganization: 200, and 404 for an unknown id (the spec documents only 200)', async () => {
    const { id } = await createOrganization({ display_name: 'A', external_id: 'get-1' });
    expectClean(await call('GET', `/api/v1/organizations/${id}`), 200);
    expectUndocumentedStatus(await call('GET', '/api/v1/organizations/org_00000000000000000'), 404, 5);
  });

  it('GetOrganizationByExternalId: 200, the documented 404 and the documented 400 for ?id=', async () => {
    await createOrganization({ display_name: 'A', external_id: 'us-east/ACME 1' });
    expectClean(await call('GET', `/api/v1/organizations:external/${encodeURIComponent('us-east/ACME 1')}`), 200);
    expectClean(await call('GET', '/api/v1/organizations:external/nobody'), 404);
    expectClean(
      await call('GET', `/api/v1/organizations:external/${encodeURIComponent('us-east/ACME 1')}?id=org_1`),
      400,
    );
  });

  it('UpdateOrganization: 200 for partial updates; 400, 404 and 409 are not in the spec', async () => {
    const { id } = await createOrganization({
      display_name: 'A',
      external_id: 'upd-1',
      metadata: { billing_plan: 'gold' },
    });
    expectClean(await call('PATCH', `/api/v1/organizations/${id}`, { display_name: 'Renamed' }), 200);
    expectClean(
      await call('PATCH', `/api/v1/organizations/${id}`, { metadata: { billing_plan: 'silver', tax_id: 'T1' } }),
      200,
    );
    expectClean(await call('PATCH', `/api/v1/organizations/${id}`, { external_id: 'upd-2', metadata: {} }), 200);
    expectUndocumentedStatus(await call('PATCH', `/api/v1/organizations/${id}`, { display_name: '' }), 400, 3);
    expectUndocumentedStatus(
      await call('PATCH', '/api/v1/organizations/org_00000000000000000', { display_name: 'x' }),
      404,
      5,
    );
    await createOrganization({ display_name: 'B', external_id: 'other' });
    expectUndocumentedStatus(await call('PATCH', `/api/v1/organizations/${id}`, { external_id: 'other' }), 409, 6);
  });

  it('DeleteOrganization: 200 {}, and 404 for an unknown id (not in the spec)', async () => {
    const { id } = await createOrganization({ display_name: 'Doomed', external_id: 'del-1' });
    const res = await call('DELETE', `/api/v1/organizations/${id}`);
    expectClean(res, 200);
    expect(res.body).toEqual({});
    expectUndocumentedStatus(await call('DELETE', `/api/v1/organizations/${id}`), 404, 5);
  });

  it('ListDirectories: none, an enabled SCIM directory, and 404 for an unknown organization (not in the spec)', async () => {
    const { id } = await createOrganization({ display_name: 'With SCIM', external_id: 'scim-1' });
    expectClean(await call('GET', `/api/v1/organizations/${id}/directories`), 200);
    running.emulator.store.addDirectory({
      organization_id: id,
      directory_type: 'SCIM',
      enabled: true,
      last_synced_at: '2026-01-01T00:00:00Z',
    });
    running.emulator.store.addDirectory({
      organization_id: id,
      directory_type: 'LDAP',
      enabled: false,
      directory_provider: 'MICROSOFT_AD',
    });
    const res = await call('GET', `/api/v1/organizations/${id}/directories`);
    expectClean(res, 200);
    expect((res.body as { directories: unknown[] }).directories).toHaveLength(2);
    expectUndocumentedStatus(await call('GET', '/api/v1/organizations/org_00000000000000000/directories'), 404, 5);
  });

  it('auth: Prism itself refuses a request with no token; an unknown token gets the emulator 401 (not in the spec)', async () => {
    const before = running.emulator.counters().totals.apiCalls;
    const missing = await call('GET', '/api/v1/organizations', undefined, null);
    // The spec declares oauth2 security but no 401 response, so Prism answers for it and never forwards.
    expect(missing.status).toBe(401);
    expect(running.emulator.counters().totals.apiCalls).toBe(before);
    expectUndocumentedStatus(await call('GET', '/api/v1/organizations', undefined, 'not-a-token'), 401, 16);
  });

  it('rate limit: 429 RATE_LIMITED (not in the spec per operation; its intro lists 429)', async () => {
    frozenNowMs = Date.now();
    running.emulator.configure({ rateLimit: { perSecond: 1, retryAfter: true } });
    expectClean(await call('GET', '/api/v1/organizations'), 200);
    expectUndocumentedStatus(await call('GET', '/api/v1/organizations'), 429, 8);
  });
});
