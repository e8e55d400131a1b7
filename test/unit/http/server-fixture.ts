import { Webhook } from 'standardwebhooks';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { createHttpMetrics, type HttpMetrics } from '../../../src/http/metrics.js';
import type { Readiness } from '../../../src/http/readiness.js';
import { createHttpServer, type AdminPagesOptions } from '../../../src/http/server.js';
import type { ReconcileRequest } from '../../../src/http/webhooks/reconcile-request.js';
import { createMemoryReplayGuard } from '../../../src/http/webhooks/replay-guard.js';

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
  } = {},
): Promise<TestServer> {
  const enqueued: ReconcileRequest[] = [];
  const seen = new Map<string, string>();
  const metrics = createHttpMetrics();
  const app = await createHttpServer({
    logger: pino({ level: 'silent' }),
    metrics,
    readiness: options.readiness ?? (async () => ({ ready: true, checks: { redis: 'ok', scalekit: 'ok' } })),
    webhooks: {
      accountsSecret: 'accountsSecret' in options ? options.accountsSecret : ACCOUNTS_SECRET,
      scalekitSecret: 'scalekitSecret' in options ? options.scalekitSecret : SCALEKIT_SECRET,
      replayGuard: createMemoryReplayGuard(),
      rules: RULES,
      enqueueReconcile: async (request) => {
        if (options.enqueueFails) throw new Error('queue down');
        enqueued.push(request);
        const existing = seen.get(request.externalId);
        if (existing !== undefined) return { jobId: existing, deduplicated: true };
        const jobId = `job-${seen.size + 1}`;
        seen.set(request.externalId, jobId);
        return { jobId, deduplicated: false };
      },
    },
    admin: options.admin,
  });
  return { app, metrics, enqueued };
}
