import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNTS_SECRET, SCALEKIT_SECRET, buildTestServer, signedHeaders, type TestServer } from './server-fixture.js';

const URL = '/webhooks/scalekit';
let server: TestServer | undefined;

afterEach(async () => {
  await server?.app.close();
  server = undefined;
});

/** Scalekit's envelope (reference §9), `data` = the organization. */
function envelope(type: string, data: Record<string, unknown>): string {
  return JSON.stringify({
    spec_version: '1',
    id: 'evt_123',
    type,
    occurred_at: '2026-05-01T12:00:00.123456789Z',
    environment_id: 'env_1',
    organization_id: data.id,
    object: 'Organization',
    data,
  });
}

const org = (externalId: string | null) => ({
  id: 'org_1',
  display_name: 'Edited',
  external_id: externalId,
  metadata: null,
  region_code: 'US',
});

async function deliver(s: TestServer, body: string, headers = signedHeaders(SCALEKIT_SECRET, body)) {
  const response = await s.app.inject({ method: 'POST', url: URL, headers, payload: body });
  return { status: response.statusCode, json: response.json() };
}

describe('POST /webhooks/scalekit', () => {
  it.each(['organization.updated', 'organization.created', 'organization.deleted'])(
    'queues a reconcile of a managed organization on %s',
    async (type) => {
      server = await buildTestServer();
      const { status, json } = await deliver(server, envelope(type, org('us-east-CUST-1')));
      expect(status).toBe(202);
      expect(json.job_id).toBe('job-1');
      // What the event showed, for the job's echo check; a deleted organization shows nothing.
      const observed =
        type === 'organization.deleted'
          ? undefined
          : { displayName: 'Edited', metadata: {}, occurredAt: '2026-05-01T12:00:00.123456789Z' };
      expect(server.enqueued).toEqual([
        { target: 'organization', event: type.split('.')[1], externalId: 'us-east-CUST-1', orgId: 'org_1', observed },
      ]);
    },
  );

  it.each([
    ['no external ID', null],
    ['an external ID under no managed region', 'mars-CUST-1'],
    ['only a region prefix', 'us-east-'],
  ])('ignores an organization with %s (200, ignored)', async (_case, externalId) => {
    server = await buildTestServer();
    const { status, json } = await deliver(server, envelope('organization.updated', org(externalId)));
    expect(status).toBe(200);
    expect(json.ignored).toBe(true);
    expect(server.enqueued).toEqual([]);
  });

  it('ignores event types it does not handle', async () => {
    server = await buildTestServer();
    const { status, json } = await deliver(server, envelope('organization.sso_enabled', { id: 'conn_1' }));
    expect(status).toBe(200);
    expect(json.ignored).toBe(true);
  });

  it('answers 422 when an organization event has no organization in data', async () => {
    server = await buildTestServer();
    const { status, json } = await deliver(server, envelope('organization.updated', { display_name: 'no id' }));
    expect(status).toBe(422);
    expect(json.error.field).toBe('data.id');
  });

  it('answers 422 for a body that is not an envelope', async () => {
    server = await buildTestServer();
    expect((await deliver(server, '[1,2,3]')).status).toBe(422);
    expect((await deliver(server, '{"data": {}}')).json.error.field).toBe('type');
  });

  it("verifies with SCALEKIT_WEBHOOK_SECRET, not the host system's secret", async () => {
    server = await buildTestServer();
    const body = envelope('organization.updated', org('us-east-CUST-1'));
    expect((await deliver(server, body, signedHeaders(ACCOUNTS_SECRET, body))).status).toBe(401);
  });

  it('keeps replay protection per route: the same webhook-id on the other route is a different delivery', async () => {
    server = await buildTestServer();
    const body = envelope('organization.updated', org('us-east-CUST-1'));
    const headers = signedHeaders(SCALEKIT_SECRET, body, { id: 'msg_shared' });
    expect((await deliver(server, body, headers)).status).toBe(202);
    expect((await deliver(server, body, headers)).json).toEqual({ replayed: true });
    const accounts = JSON.stringify({
      type: 'account.deleted',
      occurred_at: '2026-05-01T12:00:00Z',
      account: { account_id: 'C', region: 'us-east' },
    });
    const accountsResponse = await server.app.inject({
      method: 'POST',
      url: '/webhooks/accounts',
      headers: signedHeaders(ACCOUNTS_SECRET, accounts, { id: 'msg_shared' }),
      payload: accounts,
    });
    expect(accountsResponse.statusCode).toBe(202);
  });

  it('is off with 503 when SCALEKIT_WEBHOOK_SECRET is not set', async () => {
    server = await buildTestServer({ scalekitSecret: undefined });
    const { status, json } = await deliver(server, envelope('organization.updated', org('us-east-CUST-1')));
    expect(status).toBe(503);
    expect(json.error.message).toContain('SCALEKIT_WEBHOOK_SECRET');
  });
});
