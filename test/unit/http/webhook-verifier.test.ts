import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  createWebhookVerifier,
  verifyDelivery,
  type WebhookVerifier,
} from '../../../src/http/webhooks/webhook-verifier.js';
import { ACCOUNTS_SECRET, SCALEKIT_SECRET, signedHeaders } from './server-fixture.js';

const body = Buffer.from('{"type":"account.upserted"}');

function check(verifier: WebhookVerifier, raw: Buffer, headers: Record<string, string>) {
  return verifyDelivery(verifier, raw, headers);
}

describe('createWebhookVerifier', () => {
  const verifier = createWebhookVerifier(ACCOUNTS_SECRET);
  const verify = (raw: Buffer, headers: Record<string, string>) => check(verifier, raw, headers);

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
      'svix-id': signed['webhook-id'] ?? '',
      'svix-timestamp': signed['webhook-timestamp'] ?? '',
      'svix-signature': signed['webhook-signature'] ?? '',
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

  it('refuses an over-long webhook-id before looking at the body', () => {
    const headers = signedHeaders(ACCOUNTS_SECRET, body.toString(), { id: `msg_${'x'.repeat(300)}` });
    expect(verifier.checkHeaders(headers)).toEqual({ ok: false, message: expect.stringContaining('webhook-id') });
  });

  it('decides on the headers alone whether the body is worth reading', () => {
    expect(verifier.checkHeaders({}).ok).toBe(false);
    const stale = signedHeaders(ACCOUNTS_SECRET, '', { at: new Date(Date.now() - 3_600_000) });
    expect(verifier.checkHeaders(stale).ok).toBe(false);
    expect(verifier.checkHeaders({ ...signedHeaders(ACCOUNTS_SECRET, ''), 'webhook-signature': 'v1,AAAA' }).ok).toBe(
      false,
    );
    expect(verifier.checkHeaders(signedHeaders(ACCOUNTS_SECRET, 'anything')).ok).toBe(true);
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

  it('verifies bytes that are not UTF-8 exactly as they were signed', () => {
    const raw = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d]);
    const at = Math.floor(Date.now() / 1000);
    const key = Buffer.from(ACCOUNTS_SECRET.slice('whsec_'.length), 'base64');
    const mac = createHmac('sha256', key).update(`msg_bin.${at}.`).update(raw).digest('base64');
    const headers = { 'webhook-id': 'msg_bin', 'webhook-timestamp': String(at), 'webhook-signature': `v1,${mac}` };
    expect(verify(raw, headers)).toEqual({ ok: true, webhookId: 'msg_bin' });
    // The lossy UTF-8 reading of the same bytes is another message.
    expect(verify(Buffer.from(raw.toString('utf8')), headers).ok).toBe(false);
  });

  it('refuses a secret that is not base64', () => {
    expect(() => createWebhookVerifier('whsec_not*base64')).toThrow(/whsec_/);
    expect(() => createWebhookVerifier('whsec_')).toThrow(/whsec_/);
  });
});

/**
 * The test vectors of the `standardwebhooks` package (libraries/javascript/src/webhook.test.ts in
 * github.com/standard-webhooks/standard-webhooks), run against our node:crypto verifier.
 */
describe('the Standard Webhooks test vectors', () => {
  const secret = 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const msgId = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const payload = Buffer.from('{"test": 2432232314}');
  const signedAt = 1614265330;
  const expected = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
  const atSigningTime = (offsetSeconds = 0) =>
    createWebhookVerifier(`whsec_${secret}`, { nowMs: () => (signedAt + offsetSeconds) * 1000 });
  const headers = (signature = expected) => ({
    'webhook-id': msgId,
    'webhook-timestamp': String(signedAt),
    'webhook-signature': signature,
  });

  it('the sign vector verifies, with and without the whsec_ prefix', () => {
    expect(new Webhook(`whsec_${secret}`).sign(msgId, new Date(signedAt * 1000), payload.toString())).toBe(expected);
    expect(check(atSigningTime(), payload, headers())).toEqual({ ok: true, webhookId: msgId });
    const unprefixed = createWebhookVerifier(secret, { nowMs: () => signedAt * 1000 });
    expect(check(unprefixed, payload, headers()).ok).toBe(true);
  });

  it('an empty key is refused', () => {
    expect(() => createWebhookVerifier('')).toThrow();
  });

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])('a missing %s is refused', (name) => {
    const h: Record<string, string> = headers();
    delete h[name];
    expect(check(atSigningTime(), payload, h).ok).toBe(false);
  });

  it('an invalid timestamp is refused', () => {
    expect(check(atSigningTime(), payload, { ...headers(), 'webhook-timestamp': 'hello' }).ok).toBe(false);
  });

  it('an invalid or partial signature is refused', () => {
    for (const signature of ['v1,dawfeoifkpqwoekfpqoekf', expected.slice(0, 8), 'v1,']) {
      expect(check(atSigningTime(), payload, headers(signature)).ok).toBe(false);
    }
  });

  it('a timestamp older or newer than the tolerance plus one second is refused', () => {
    expect(check(atSigningTime(5 * 60 + 1), payload, headers()).ok).toBe(false);
    expect(check(atSigningTime(-(5 * 60 + 1)), payload, headers()).ok).toBe(false);
    expect(check(atSigningTime(5 * 60), payload, headers()).ok).toBe(true);
  });

  it('a multi-signature header verifies when any v1 entry matches', () => {
    const other = 'Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=';
    const signature = [`v1,${other}`, `v2,${other}`, expected, `v1,${other}`].join(' ');
    expect(check(atSigningTime(), payload, headers(signature)).ok).toBe(true);
  });
});
