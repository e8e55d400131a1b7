import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Standard Webhooks' tolerance: a delivery more than 5 minutes old or ahead is refused. */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

/** Longer `webhook-id`s are refused: the ID becomes a Redis key and a log field. */
export const MAX_WEBHOOK_ID_LENGTH = 256;

/** What the headers of a delivery say, once they are well-formed and the timestamp is in the window. */
export interface SignedDelivery {
  webhookId: string;
  /** `webhook-timestamp`, Unix seconds. */
  timestampSeconds: number;
  /** The decoded `v1` signatures (32 bytes each); any one of them may match. */
  signatures: readonly Buffer[];
}

/** The result of a check: the delivery, or why it is refused (a message for the 401 body). */
export type HeaderCheck = { ok: true; delivery: SignedDelivery } | { ok: false; message: string };

/** Whether a delivery is authentic, and if so its `webhook-id`. */
export type WebhookVerification = { ok: true; webhookId: string } | { ok: false; message: string };

/** The Standard Webhooks scheme for one secret, in two steps so the body is read only when the headers pass. */
export interface WebhookVerifier {
  /** Headers and timestamp window only: cheap, done before the body is read. */
  checkHeaders(headers: IncomingHttpHeaders): HeaderCheck;
  /** HMAC-SHA256 of `"{id}.{timestamp}.{raw body}"` against the delivery's signatures, in constant time. */
  verifyBody(rawBody: Buffer, delivery: SignedDelivery): boolean;
}

/** Options of `createWebhookVerifier`. */
export interface WebhookVerifierOptions {
  /** The clock, in ms since the epoch. Default `Date.now`. */
  nowMs?: () => number;
}

const HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;
const SIGNATURE_BYTES = 32;
const MAX_SIGNATURES = 16;
const SIGNATURE_MISMATCH = 'webhook-signature does not match: check the secret and that the body is sent unchanged';

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** `webhook-id`, or Svix's `svix-id` (the same scheme under Svix's header names) when it is absent. */
function header(headers: IncomingHttpHeaders, name: (typeof HEADERS)[number]): string | undefined {
  return single(headers[name]) ?? single(headers[name.replace('webhook-', 'svix-')]);
}

/** Strict base64 (standard alphabet, padding optional); `undefined` when `text` is not base64. */
function decodeBase64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64').replace(/=+$/, '') === text.replace(/=+$/, '') ? bytes : undefined;
}

/** The key of a `whsec_<base64>` secret (the prefix is optional, as in the `standardwebhooks` package). */
function decodeSecret(secret: string): Buffer {
  const key = decodeBase64(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret);
  if (key === undefined || key.length === 0) throw new Error('the webhook secret is not whsec_ followed by base64');
  return key;
}

/** The `v1` entries of a space-separated `webhook-signature`, decoded; other versions are skipped. */
function v1Signatures(value: string): Buffer[] {
  const signatures: Buffer[] = [];
  for (const entry of value.trim().split(/\s+/).slice(0, MAX_SIGNATURES)) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const bytes = decodeBase64(entry.slice(comma + 1));
    if (bytes?.length === SIGNATURE_BYTES) signatures.push(bytes);
  }
  return signatures;
}

/**
 * A verifier for the Standard Webhooks scheme (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`) with the secret
 * `whsec_<base64>`, on `node:crypto`: the HMAC runs over the raw bytes (any bytes, UTF-8 or not)
 * and each signature is compared with `timingSafeEqual`. Svix's header names (`svix-id`, ...) are
 * accepted too. Throws at construction when the secret cannot be decoded.
 */
export function createWebhookVerifier(secret: string, options: WebhookVerifierOptions = {}): WebhookVerifier {
  const key = decodeSecret(secret);
  const nowMs = options.nowMs ?? Date.now;
  return {
    checkHeaders(headers) {
      const [id, timestamp, signature] = HEADERS.map((name) => header(headers, name));
      if (id === undefined || timestamp === undefined || signature === undefined) {
        const missing = HEADERS.filter((name) => header(headers, name) === undefined);
        return {
          ok: false,
          message: `missing webhook header(s): ${missing.join(', ')} (the Standard Webhooks scheme)`,
        };
      }
      if (id.length > MAX_WEBHOOK_ID_LENGTH)
        return { ok: false, message: `webhook-id is longer than ${MAX_WEBHOOK_ID_LENGTH} characters` };
      if (!/^\d{1,15}$/.test(timestamp.trim()))
        return { ok: false, message: 'webhook-timestamp must be whole seconds since the Unix epoch' };
      const timestampSeconds = Number(timestamp.trim());
      const skewSeconds = Math.floor(nowMs() / 1000) - timestampSeconds;
      if (skewSeconds > WEBHOOK_TOLERANCE_SECONDS) {
        return {
          ok: false,
          message: `webhook-timestamp is ${skewSeconds} s old; deliveries older than ${WEBHOOK_TOLERANCE_SECONDS} s are refused`,
        };
      }
      if (-skewSeconds > WEBHOOK_TOLERANCE_SECONDS)
        return { ok: false, message: `webhook-timestamp is ${-skewSeconds} s in the future; check the sender's clock` };
      const signatures = v1Signatures(signature);
      if (signatures.length === 0) return { ok: false, message: SIGNATURE_MISMATCH };
      return { ok: true, delivery: { webhookId: id, timestampSeconds, signatures } };
    },
    verifyBody(rawBody, delivery) {
      const expected = createHmac('sha256', key)
        .update(`${delivery.webhookId}.${delivery.timestampSeconds}.`, 'utf8')
        .update(rawBody)
        .digest();
      let matched = false;
      // Every signature is compared, so the time taken does not say which one matched.
      for (const signature of delivery.signatures) matched = timingSafeEqual(signature, expected) || matched;
      return matched;
    },
  };
}

/** Both steps at once (headers, then the body): for callers that already hold the whole body. */
export function verifyDelivery(
  verifier: WebhookVerifier,
  rawBody: Buffer,
  headers: IncomingHttpHeaders,
): WebhookVerification {
  const checked = verifier.checkHeaders(headers);
  if (!checked.ok) return checked;
  return verifier.verifyBody(rawBody, checked.delivery)
    ? { ok: true, webhookId: checked.delivery.webhookId }
    : { ok: false, message: SIGNATURE_MISMATCH };
}
