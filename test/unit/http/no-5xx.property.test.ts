import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNTS_SECRET, SCALEKIT_SECRET, buildTestServer, signedHeaders, type TestServer } from './server-fixture.js';

let server: TestServer;

beforeAll(async () => {
  // No failure limit to speak of: the runs should reach verification, not stop at 429.
  server = await buildTestServer({ signatureFailureLimit: { maxFailures: 1_000_000, perMs: 1_000 } });
});

afterAll(async () => {
  await server.app.close();
});

const headerText = fc.string({ unit: fc.constantFrom(...' ,.=:;_-/+abcxyzABC0123456789v'.split('')), maxLength: 60 });

/** Bodies: arbitrary text, arbitrary JSON, and near-valid events with arbitrary parts. */
const body = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.json({ maxDepth: 3 }),
  fc
    .record({
      type: fc.oneof(
        fc.constantFrom('account.upserted', 'account.deleted', 'organization.updated', 'organization.deleted'),
        fc.string(),
      ),
      occurred_at: fc.oneof(fc.constant('2026-05-01T12:00:00Z'), fc.string(), fc.integer()),
      account: fc.dictionary(
        fc.constantFrom(
          'account_id',
          'region',
          'display_name',
          'invoice_email',
          'billing_plan',
          '__proto__',
          'constructor',
        ),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      data: fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.record({ id: fc.string(), external_id: fc.oneof(fc.string(), fc.constant('us-east-X'), fc.constant(null)) }),
      ),
    })
    .map((v) => JSON.stringify(v)),
);

const signing = fc.constantFrom('valid', 'other-secret', 'stale', 'none', 'garbage');
const contentType = fc.oneof(
  fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/xml', ''),
  headerText,
);
const url = fc.constantFrom(
  '/webhooks/accounts',
  '/webhooks/scalekit',
  '/healthz',
  '/readyz',
  '/metrics',
  '/runs',
  '/runs/x',
  '/admin/queues',
  '/nope',
  '/webhooks/accounts?x=1',
);
const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD');

function headersFor(
  kind: string,
  route: string,
  payload: string,
  garbage: Record<string, string>,
): Record<string, string> {
  const secret = route.includes('scalekit') ? SCALEKIT_SECRET : ACCOUNTS_SECRET;
  switch (kind) {
    case 'valid':
      return signedHeaders(secret, payload);
    case 'other-secret':
      return signedHeaders(secret === ACCOUNTS_SECRET ? SCALEKIT_SECRET : ACCOUNTS_SECRET, payload);
    case 'stale':
      return signedHeaders(secret, payload, { at: new Date(Date.now() - 3_600_000) });
    case 'garbage':
      return garbage;
    default:
      return {};
  }
}

describe('the HTTP service under arbitrary input', () => {
  it('never answers 5xx, and every error body has the one shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        method,
        url,
        body,
        signing,
        contentType,
        fc.record(
          { 'webhook-id': headerText, 'webhook-timestamp': headerText, 'webhook-signature': headerText },
          { requiredKeys: [] },
        ),
        async (m, u, payload, kind, type, garbage) => {
          const headers = {
            ...headersFor(kind, u, payload, garbage),
            ...(type === '' ? {} : { 'content-type': type }),
          };
          const canHaveBody = m !== 'GET' && m !== 'HEAD';
          const response = await server.app.inject({ method: m, url: u, headers, ...(canHaveBody ? { payload } : {}) });
          expect(response.statusCode).toBeLessThan(500);
          if (response.statusCode >= 400 && m !== 'HEAD') {
            const json: unknown = response.json();
            expect(json).toMatchObject({
              error: { code: expect.stringMatching(/^[a-z_]+$/), message: expect.any(String) },
            });
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
