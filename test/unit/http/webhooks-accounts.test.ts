import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNTS_SECRET, SCALEKIT_SECRET, buildTestServer, signedHeaders, type TestServer } from './server-fixture.js';

const URL = '/webhooks/accounts';
let server: TestServer | undefined;

afterEach(async () => {
  await server?.app.close();
  server = undefined;
});

function event(account: Record<string, unknown>, type = 'account.upserted'): string {
  return JSON.stringify({ type, occurred_at: '2026-05-01T12:00:00Z', account });
}

async function deliver(
  s: TestServer,
  body: string,
  headers: Record<string, string> = signedHeaders(ACCOUNTS_SECRET, body),
) {
  const response = await s.app.inject({ method: 'POST', url: URL, headers, payload: body });
  return { status: response.statusCode, json: response.json() };
}

describe('POST /webhooks/accounts', () => {
  it('queues a reconcile that reads the account from the host source when only account_id and region come', async () => {
    server = await buildTestServer();
    const { status, json } = await deliver(server, event({ account_id: ' CUST-1 ', region: 'US-East' }));
    expect(status).toBe(202);
    expect(json).toEqual({ job_id: 'job-1', deduplicated: false });
    expect(server.enqueued).toEqual([
      {
        target: 'account',
        event: 'upserted',
        externalId: 'us-east-CUST-1',
        accountId: 'CUST-1',
        region: 'us-east',
        cells: null,
        occurredAt: '2026-05-01T12:00:00Z',
      },
    ]);
  });

  it('queues a reconcile from the payload when the whole account comes, normalised like a CSV row', async () => {
    server = await buildTestServer();
    const body = event({
      account_id: 'CUST-2',
      region: 'eu-west',
      Display_Name: '  Acme GmbH ',
      billing_plan: 'pro',
      tax_id: 12345,
      extra: 'ignored',
    });
    expect((await deliver(server, body)).status).toBe(202);
    expect(server.enqueued[0]).toMatchObject({
      externalId: 'eu-west-CUST-2',
      cells: {
        account_id: 'CUST-2',
        region: 'eu-west',
        display_name: 'Acme GmbH',
        billing_plan: 'pro',
        tax_id: '12345',
      },
    });
    // Fields the delivery did not carry are not managed by it: they stay out of the job's account.
    const [request] = server.enqueued;
    expect(request?.target === 'account' && Object.keys(request.cells ?? {})).not.toContain('invoice_email');
  });

  it('keeps a null or "" field as "remove this key", distinct from an absent one', async () => {
    server = await buildTestServer();
    const body = event({
      account_id: 'CUST-4',
      region: 'us-east',
      display_name: 'Acme',
      tax_id: null,
      billing_plan: '',
    });
    expect((await deliver(server, body)).status).toBe(202);
    expect(server.enqueued[0]).toMatchObject({
      cells: {
        account_id: 'CUST-4',
        region: 'us-east',
        display_name: 'Acme',
        billing_plan: null,
        tax_id: null,
      },
    });
    const [request] = server.enqueued;
    expect(request?.target === 'account' && Object.keys(request.cells ?? {})).toHaveLength(5);
  });

  it('answers 422 naming the field when a whole account breaks a row rule, and queues nothing', async () => {
    server = await buildTestServer();
    const { status, json } = await deliver(
      server,
      event({ account_id: 'CUST-3', region: 'us-east', display_name: 'Acme', invoice_email: 'not-an-address' }),
    );
    expect(status).toBe(422);
    expect(json.error).toMatchObject({ code: 'validation_failed', field: 'account.invoice_email' });
    expect(json.error.message).not.toContain('not-an-address');
    expect(server.enqueued).toEqual([]);
  });

  it.each([
    [{ account_id: 'C', region: 'mars' }, 'account.region'],
    [{ region: 'us-east' }, 'account.account_id'],
    [{ account_id: 'C', region: 'us-east', display_name: '   ' }, 'account.display_name'],
    [{ account_id: { nested: true }, region: 'us-east' }, 'account.account_id'],
  ])('answers 422 for the account %j, naming %s', async (account, field) => {
    server = await buildTestServer();
    const { status, json } = await deliver(server, event(account));
    expect(status).toBe(422);
    expect(json.error.field).toBe(field);
    expect(server.enqueued).toEqual([]);
  });

  it('answers 422 for an unknown event type or a missing occurred_at', async () => {
    server = await buildTestServer();
    expect(
      (await deliver(server, event({ account_id: 'C', region: 'us-east' }, 'account.renamed'))).json.error.field,
    ).toBe('type');
    const noDate = JSON.stringify({ type: 'account.deleted', account: { account_id: 'C', region: 'us-east' } });
    expect((await deliver(server, noDate)).json.error.field).toBe('occurred_at');
    expect(server.enqueued).toEqual([]);
  });

  it('turns account.deleted into a reconcile that reports the organization (never a delete)', async () => {
    server = await buildTestServer();
    expect(
      (await deliver(server, event({ account_id: 'CUST-4', region: 'us-west', display_name: 'x' }, 'account.deleted')))
        .status,
    ).toBe(202);
    expect(server.enqueued[0]).toEqual({
      target: 'account',
      event: 'deleted',
      externalId: 'us-west-CUST-4',
      accountId: 'CUST-4',
      region: 'us-west',
      cells: null,
      occurredAt: '2026-05-01T12:00:00Z',
    });
  });

  it('acknowledges a replayed webhook-id with 200 and queues nothing more', async () => {
    server = await buildTestServer();
    const body = event({ account_id: 'CUST-5', region: 'us-east' });
    const headers = signedHeaders(ACCOUNTS_SECRET, body, { id: 'msg_replayed' });
    expect((await deliver(server, body, headers)).status).toBe(202);
    const again = await deliver(server, body, headers);
    expect(again).toEqual({ status: 200, json: { replayed: true } });
    expect(server.enqueued).toHaveLength(1);
  });

  it('reports deduplication when a reconcile of the same account is already queued', async () => {
    server = await buildTestServer();
    const body = event({ account_id: 'CUST-6', region: 'us-east' });
    await deliver(server, body);
    expect((await deliver(server, body)).json).toEqual({ job_id: 'job-1', deduplicated: true });
  });

  it.each([
    ['another secret', (body: string) => signedHeaders(SCALEKIT_SECRET, body)],
    ['no signature headers', () => ({ 'content-type': 'application/json' })],
    [
      'a stale timestamp',
      (body: string) => signedHeaders(ACCOUNTS_SECRET, body, { at: new Date(Date.now() - 10 * 60_000) }),
    ],
    [
      'a future timestamp',
      (body: string) => signedHeaders(ACCOUNTS_SECRET, body, { at: new Date(Date.now() + 10 * 60_000) }),
    ],
  ])('answers 401 for %s and queues nothing', async (_case, headersFor) => {
    server = await buildTestServer();
    const body = event({ account_id: 'CUST-7', region: 'us-east' });
    const { status, json } = await deliver(server, body, headersFor(body));
    expect(status).toBe(401);
    expect(json.error.code).toBe('invalid_signature');
    expect(server.enqueued).toEqual([]);
  });

  it('answers 401 for a body altered after signing', async () => {
    server = await buildTestServer();
    const body = event({ account_id: 'CUST-8', region: 'us-east' });
    const { status } = await deliver(server, body.replace('CUST-8', 'CUST-9'), signedHeaders(ACCOUNTS_SECRET, body));
    expect(status).toBe(401);
    expect(server.enqueued).toEqual([]);
  });

  it('answers 400 for a signed body that is not JSON', async () => {
    server = await buildTestServer();
    const { status, json } = await deliver(server, '{"type": ');
    expect(status).toBe(400);
    expect(json.error.code).toBe('invalid_json');
  });

  it('answers 413 for a body over 1 MiB, 415 for another media type, and queues nothing', async () => {
    server = await buildTestServer();
    const big = event({ account_id: 'C', region: 'us-east', display_name: 'x'.repeat(1024 * 1024) });
    expect((await deliver(server, big)).json.error.code).toBe('payload_too_large');
    const body = event({ account_id: 'C', region: 'us-east' });
    const form = await deliver(server, body, {
      ...signedHeaders(ACCOUNTS_SECRET, body),
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form).toMatchObject({ status: 415, json: { error: { code: 'unsupported_media_type' } } });
    expect(server.enqueued).toEqual([]);
  });

  it('is off with 503, not open, when ORGSYNC_WEBHOOK_SECRET is not set', async () => {
    server = await buildTestServer({ accountsSecret: undefined });
    const body = event({ account_id: 'C', region: 'us-east' });
    const { status, json } = await deliver(server, body);
    expect(status).toBe(503);
    expect(json.error).toMatchObject({
      code: 'webhook_not_configured',
      message: expect.stringContaining('ORGSYNC_WEBHOOK_SECRET'),
    });
    expect(server.enqueued).toEqual([]);
  });

  it('answers 503 when the queue is down, and takes the retried delivery as new rather than a replay', async () => {
    server = await buildTestServer({ enqueueFails: true });
    const body = event({ account_id: 'C', region: 'us-east' });
    const headers = signedHeaders(ACCOUNTS_SECRET, body, { id: 'msg_retry' });
    expect((await deliver(server, body, headers)).json.error.code).toBe('service_unavailable');
    expect((await deliver(server, body, headers)).status).toBe(503);
  });

  it('counts every delivery by outcome', async () => {
    server = await buildTestServer();
    const body = event({ account_id: 'C', region: 'us-east' });
    await deliver(server, body);
    await deliver(server, body, { 'content-type': 'application/json' });
    await deliver(server, 'x'.repeat(1024 * 1024 + 1));
    const text = await server.metrics.registry.metrics();
    expect(text).toContain('orgsync_webhook_deliveries_total{route="accounts",outcome="accepted"} 1');
    expect(text).toContain('orgsync_webhook_deliveries_total{route="accounts",outcome="invalid_signature"} 1');
    expect(text).toContain('orgsync_webhook_deliveries_total{route="accounts",outcome="too_large"} 1');
  });
});
