import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { createWebhookVerifier } from '../../../src/http/webhooks/webhook-verifier.js';
import { ACCOUNTS_SECRET, SCALEKIT_SECRET, signedHeaders } from './server-fixture.js';

const body = Buffer.from('{"type":"account.upserted"}');

describe('createWebhookVerifier', () => {
  const verify = createWebhookVerifier(ACCOUNTS_SECRET);

  it('accepts a delivery signed with the secret and returns its webhook-id', () => {
    const headers = signedHeaders(ACCOUNTS_SECRET, body.toString(), { id: 'msg_1' });
    expect(verify(body, headers)).toEqual({ ok: true, webhookId: 'msg_1' });
  });

  it('accepts when one of several space-separated signatures matches (secret rotation)', () => {
    const headers = signedHeaders(ACCOUNTS_SECRET, body.toString(), { id: 'msg_2' });
    headers['webhook-signature'] = `v1,AAAA ${headers['webhook-signature']}`;
    expect(verify(body, headers).ok).toBe(true);
  });

  it('accepts the same scheme under Svix header names', () => {
    const signed = signedHeaders(ACCOUNTS_SECRET, body.toString(), { id: 'msg_svix' });
    const svix = {
      'svix-id': signed['webhook-id'],
      'svix-timestamp': signed['webhook-timestamp'],
      'svix-signature': signed['webhook-signature'],
    };
    expect(verify(body, svix)).toEqual({ ok: true, webhookId: 'msg_svix' });
    expect(verify(body, { ...svix, 'svix-signature': 'v1,AAAA' }).ok).toBe(false);
  });

  it('refuses a delivery signed with another secret', () => {
    const result = verify(body, signedHeaders(SCALEKIT_SECRET, body.toString()));
    expect(result).toEqual({ ok: false, message: expect.stringContaining('does not match') });
  });

  it('refuses a body altered after signing, even by one byte', () => {
    const headers = signedHeaders(ACCOUNTS_SECRET, body.toString());
    expect(verify(Buffer.from('{"type":"account.upserted" }'), headers).ok).toBe(false);
  });

  it('refuses a timestamp more than 5 minutes old', () => {
    const headers = signedHeaders(ACCOUNTS_SECRET, body.toString(), { at: new Date(Date.now() - 301_000) });
    expect(verify(body, headers)).toEqual({ ok: false, message: expect.stringContaining('old') });
  });

  it('refuses a timestamp more than 5 minutes ahead', () => {
    const headers = signedHeaders(ACCOUNTS_SECRET, body.toString(), { at: new Date(Date.now() + 301_000) });
    expect(verify(body, headers)).toEqual({ ok: false, message: expect.stringContaining('future') });
  });

  it('accepts a timestamp 4 minutes off either way', () => {
    for (const offsetMs of [-240_000, 240_000]) {
      expect(
        verify(body, signedHeaders(ACCOUNTS_SECRET, body.toString(), { at: new Date(Date.now() + offsetMs) })).ok,
      ).toBe(true);
    }
  });

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])(
    'refuses a delivery without %s, naming it',
    (name) => {
      const headers = signedHeaders(ACCOUNTS_SECRET, body.toString());
      delete headers[name];
      expect(verify(body, headers)).toEqual({ ok: false, message: expect.stringContaining(name) });
    },
  );

  it('refuses a timestamp that is not whole seconds', () => {
    const headers = { ...signedHeaders(ACCOUNTS_SECRET, body.toString()), 'webhook-timestamp': '2026-01-01T00:00:00Z' };
    expect(verify(body, headers).ok).toBe(false);
  });

  it('refuses a signature of another scheme version', () => {
    const headers = signedHeaders(ACCOUNTS_SECRET, body.toString());
    headers['webhook-signature'] = (headers['webhook-signature'] ?? '').replace(/^v1,/, 'v2,');
    expect(verify(body, headers).ok).toBe(false);
  });

  it('signs over the raw bytes: the same JSON with other whitespace does not verify', () => {
    const id = 'msg_ws';
    const at = new Date();
    const signature = new Webhook(ACCOUNTS_SECRET).sign(id, at, '{"a": 1}');
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    };
    expect(verify(Buffer.from('{"a": 1}'), headers).ok).toBe(true);
    expect(verify(Buffer.from('{"a":1}'), headers).ok).toBe(false);
  });
});
