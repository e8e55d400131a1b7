import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { pino, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { createHttpMetrics, type HttpMetrics } from '../../../src/http/metrics.js';
import type { Readiness } from '../../../src/http/readiness.js';
import { createHttpServer, type AdminPagesOptions, type HttpTimeouts } from '../../../src/http/server.js';
import type { FailureLimit } from '../../../src/http/failure-limiter.js';
import { toReconcilePayload, type ReconcileRequest } from '../../../src/http/webhooks/reconcile-request.js';
import { createMemoryReplayGuard, type ReplayGuard } from '../../../src/store/replay-guard.js';
import { parsePayload } from '../../../jobs/catalog.js';

/** Test secrets in the Standard Webhooks format (not real ones). */
export const ACCOUNTS_SECRET = `whsec_${Buffer.from('accounts-test-secret-0123456789').toString('base64')}`;
export const SCALEKIT_SECRET = `whsec_${Buffer.from('scalekit-test-secret-0123456789').toString('base64')}`;

export const RULES = {
  regions: ['us-east', 'us-west', 'eu-west'],
  metadataKeys: ['invoice_email', 'billing_plan', 'billing_currency', 'tax_id'],
};

/** Headers of a delivery signed with `secret`; `at` defaults to now. */
export function signedHeaders(
  secret: string,
  body: string,
  options: { id?: string; at?: Date } = {},
): Record<string, string> {
  const id = options.id ?? `msg_${Math.random().toString(36).slice(2)}`;
  const at = options.at ?? new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

/** Headers of raw `bytes` (any bytes, UTF-8 or not) signed with `secret` by `node:crypto`. */
export function signedRawHeaders(
  secret: string,
  bytes: Buffer,
  options: { id?: string; at?: Date } = {},
): Record<string, string> {
  const id = options.id ?? `msg_${Math.random().toString(36).slice(2)}`;
  const seconds = Math.floor((options.at ?? new Date()).getTime() / 1000);
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${seconds}.`).update(bytes).digest('base64');
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(seconds),
    'webhook-signature': `v1,${mac}`,
  };
}

export interface TestServer {
  app: FastifyInstance;
  metrics: HttpMetrics;
  enqueued: ReconcileRequest[];
}

/** A server over in-memory collaborators: a recording enqueue, a memory replay guard, no Redis. */
export async function buildTestServer(
  options: {
    accountsSecret?: string | undefined;
    scalekitSecret?: string | undefined;
    admin?: AdminPagesOptions;
    readiness?: () => Promise<Readiness>;
    enqueueFails?: boolean;
    /** Runs before the recording enqueue (e.g. to hold it); its rejection fails the enqueue. */
    beforeEnqueue?: (request: ReconcileRequest) => Promise<void>;
    replayGuard?: ReplayGuard;
    signatureFailureLimit?: FailureLimit;
    /** Default: silent. */
    logger?: Logger;
    timeouts?: Partial<HttpTimeouts>;
    maxConnections?: number;
  } = {},
): Promise<TestServer> {
  const enqueued: ReconcileRequest[] = [];
  const seen = new Map<string, string>();
  const metrics = createHttpMetrics();
  const app = await createHttpServer({
    logger: options.logger ?? pino({ level: 'silent' }),
    metrics,
    readiness: options.readiness ?? (async () => ({ ready: true, checks: { redis: 'ok', scalekit: 'ok' } })),
    webhooks: {
      accountsSecret: 'accountsSecret' in options ? options.accountsSecret : ACCOUNTS_SECRET,
      scalekitSecret: 'scalekitSecret' in options ? options.scalekitSecret : SCALEKIT_SECRET,
      replayGuard: options.replayGuard ?? createMemoryReplayGuard(),
      rules: RULES,
      signatureFailureLimit: options.signatureFailureLimit,
      enqueueReconcile: async (request) => {
        if (options.enqueueFails) throw new Error('queue down');
        await options.beforeEnqueue?.(request);
        // The producer's own check of the job's payload (InvalidPayloadError), as in production.
        parsePayload('reconcile', toReconcilePayload(request));
        enqueued.push(request);
        const existing = seen.get(request.externalId);
        if (existing !== undefined) return { jobId: existing, deduplicated: true };
        const jobId = `job-${seen.size + 1}`;
        seen.set(request.externalId, jobId);
        return { jobId, deduplicated: false };
      },
    },
    admin: options.admin,
    timeouts: options.timeouts,
    maxConnections: options.maxConnections,
  });
  return { app, metrics, enqueued };
}
