import { describe, expect, it } from 'vitest';
import { observedOf, pushedStateOf, reconcilePayloadSchema } from '../../../jobs/reconcile.js';
import { clampOccurredAtMs, MAX_FUTURE_SKEW_MS, newer } from '../../../src/store/known-state.js';
import { WEBHOOK_TOLERANCE_SECONDS } from '../../../src/http/webhooks/webhook-verifier.js';
import { toReconcilePayload } from '../../../src/http/webhooks/reconcile-request.js';

const NOW = Date.parse('2026-05-01T12:00:00Z');

describe('occurred_at', () => {
  it('is clamped to the signature tolerance ahead of now, so that a future date cannot pin a value', () => {
    expect(MAX_FUTURE_SKEW_MS).toBe(WEBHOOK_TOLERANCE_SECONDS * 1000);
    expect(clampOccurredAtMs('2099-01-01T00:00:00Z', NOW)).toBe(NOW + MAX_FUTURE_SKEW_MS);
    expect(clampOccurredAtMs('2026-05-01T12:04:00Z', NOW)).toBe(NOW + 4 * 60_000);
    expect(clampOccurredAtMs('2020-01-01T00:00:00+02:00', NOW)).toBe(Date.parse('2019-12-31T22:00:00Z'));
  });

  it('orders states: the newer wins, and on a tie the first (the one stored last)', () => {
    const a = { atMs: 1, name: 'a' };
    const b = { atMs: 2, name: 'b' };
    expect(newer(a, b)).toBe(b);
    expect(newer(b, a)).toBe(b);
    expect(newer(a, { atMs: 1, name: 'tie' })).toBe(a);
    expect(newer(null, a)).toBe(a);
    expect(newer(a, null)).toBe(a);
  });
});

describe('what a reconcile payload says', () => {
  const parse = (payload: unknown) => reconcilePayloadSchema.parse(payload);

  it('is a whole account, a delete or "read the host source", at its occurred_at', () => {
    const at = '2026-05-01T11:00:00Z';
    const account = { account_id: 'C1', region: 'us-east', display_name: 'Acme', tax_id: null };
    expect(pushedStateOf(parse({ account, occurred_at: at }), NOW)).toEqual({
      kind: 'account',
      account,
      atMs: Date.parse(at),
    });
    const id = { account_id: 'C1', region: 'us-east' };
    expect(pushedStateOf(parse({ account: id, deleted: true, occurred_at: at }), NOW)?.kind).toBe('deleted');
    expect(pushedStateOf(parse({ account: id, occurred_at: at }), NOW)?.kind).toBe('source');
    expect(pushedStateOf(parse({ external_id: 'us-east-C1' }), NOW)).toBeNull();
  });

  it('carries the organization a Scalekit event showed, for an external ID only', () => {
    const observed = {
      id: 'org_1',
      display_name: 'Acme',
      metadata: { plan: 'pro' },
      occurred_at: '2099-01-01T00:00:00Z',
    };
    expect(observedOf(parse({ external_id: 'us-east-C1', observed }), NOW)).toEqual({
      id: 'org_1',
      external_id: 'us-east-C1',
      display_name: 'Acme',
      metadata: { plan: 'pro' },
      atMs: NOW + MAX_FUTURE_SKEW_MS,
    });
    expect(() => parse({ org_id: 'org_1', observed })).toThrow(/observed applies to an external_id only/);
  });

  it('keeps the occurred_at of every account webhook, whole or not', () => {
    const base = { target: 'account', externalId: 'us-east-C1', accountId: 'C1', region: 'us-east' } as const;
    const occurredAt = '2026-05-01T11:00:00Z';
    expect(toReconcilePayload({ ...base, event: 'upserted', cells: null, occurredAt })).toEqual({
      account: { account_id: 'C1', region: 'us-east' },
      occurred_at: occurredAt,
      trigger: 'webhook',
    });
    expect(toReconcilePayload({ ...base, event: 'deleted', cells: null, occurredAt })).toMatchObject({
      deleted: true,
      occurred_at: occurredAt,
    });
  });
});
