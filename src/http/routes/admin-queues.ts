import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';

export const ADMIN_QUEUES_PATH = '/admin/queues';

/** Options of `registerAdminQueues`. */
export interface AdminQueuesOptions {
  /** The BullMQ queues to show. */
  queues: readonly Queue[];
  /** The admin login's `onRequest` hook (`createBasicAuthHook`), shared with the run pages. */
  requireAdmin: onRequestAsyncHookHandler;
  /** Default `true`: jobs can be looked at, not retried, removed or added. */
  readOnly?: boolean;
}

/**
 * Mounts the bull-board dashboard at `/admin/queues` (its page, static files and API), every
 * route behind the admin login. Read-only unless `readOnly: false`; bull-board enforces that on
 * its API, not only in the page.
 */
export async function registerAdminQueues(app: FastifyInstance, options: AdminQueuesOptions): Promise<void> {
  const readOnlyMode = options.readOnly ?? true;
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(ADMIN_QUEUES_PATH);
  createBullBoard({
    queues: options.queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode, allowRetries: !readOnlyMode })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'orgsync queues' } },
  });
  await app.register(async (scope) => {
    scope.addHook('onRequest', options.requireAdmin);
    await scope.register(serverAdapter.registerPlugin(), { prefix: ADMIN_QUEUES_PATH });
  });
}
