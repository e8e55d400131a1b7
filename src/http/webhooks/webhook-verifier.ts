import type { IncomingHttpHeaders } from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/** Standard Webhooks' tolerance: a delivery more than 5 minutes old or ahead is refused. */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

/** Whether a delivery is authentic, and if so its `webhook-id`. */
export type WebhookVerification = { ok: true; webhookId: string } | { ok: false; message: string };

/** Checks one delivery: headers, timestamp window and signature over the raw body. */
export type WebhookVerifier = (rawBody: Buffer, headers: IncomingHttpHeaders) => WebhookVerification;

const HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** `webhook-id`, or Svix's `svix-id` (the same scheme under Svix's header names) when it is absent. */
function header(headers: IncomingHttpHeaders, name: (typeof HEADERS)[number]): string | undefined {
  return single(headers[name]) ?? single(headers[name.replace('webhook-', 'svix-')]);
}

/**
 * A verifier for the Standard Webhooks scheme (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, constant-time compare) with
 * the secret `whsec_<base64>`. The signature is checked by the `standardwebhooks` package on the raw
 * bytes; Svix's header names (`svix-id`, ...) are accepted too. Headers and timestamp are checked here first so that each failure gets its own message.
 * Throws at construction when the secret cannot be decoded. The clock is the real one, as the
 * package's own check uses `Date.now`.
 */
export function createWebhookVerifier(secret: string): WebhookVerifier {
  const webhook = new Webhook(secret);
  return (rawBody, headers) => {
    const [id, timestamp, signature] = HEADERS.map((name) => header(headers, name));
    const missing = HEADERS.filter((name) => header(headers, name) === undefined);
    if (id === undefined || timestamp === undefined || signature === undefined) {
      return { ok: false, message: `missing webhook header(s): ${missing.join(', ')} (the Standard Webhooks scheme)` };
    }
    if (!/^\d{1,15}$/.test(timestamp.trim())) {
      return { ok: false, message: 'webhook-timestamp must be whole seconds since the Unix epoch' };
    }
    const skewSeconds = Math.floor(Date.now() / 1000) - Number(timestamp.trim());
    if (skewSeconds > WEBHOOK_TOLERANCE_SECONDS) {
      return {
        ok: false,
        message: `webhook-timestamp is ${skewSeconds} s old; deliveries older than ${WEBHOOK_TOLERANCE_SECONDS} s are refused`,
      };
    }
    if (-skewSeconds > WEBHOOK_TOLERANCE_SECONDS) {
      return { ok: false, message: `webhook-timestamp is ${-skewSeconds} s in the future; check the sender's clock` };
    }
    try {
      webhook.verify(
        rawBody,
        { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature },
        { jsonParse: false },
      );
      return { ok: true, webhookId: id };
    } catch (error) {
      if (error instanceof WebhookVerificationError) {
        return {
          ok: false,
          message: 'webhook-signature does not match: check the secret and that the body is sent unchanged',
        };
      }
      throw error;
    }
  };
}
