import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Logger } from 'pino';
import { codeForStatus, errorBody, type HttpErrorBody } from '../http-error.js';

export const ADMIN_QUEUES_PATH = '/admin/queues';

/** Options of `registerAdminQueues`. */
export interface AdminQueuesOptions {
  /** The BullMQ queues to show. */
  queues: readonly Queue[];
  /** The admin login's `onRequest` hook (`createBasicAuthHook`), shared with the run pages. */
  requireAdmin: onRequestAsyncHookHandler;
  /** Default `true`: jobs can be looked at, not retried, removed or added. */
  readOnly?: boolean;
  /** bull-board's own 5xx are logged here (their details never reach the caller). */
  logger: Logger;
}

/** bull-board's error keys, in words. */
const BULL_BOARD_MESSAGES: Readonly<Record<string, string>> = {
  'ERRORS.QUEUE_NOT_FOUND': 'no such queue on this dashboard',
  'ERRORS.QUEUE_READ_ONLY': 'the dashboard is read-only: jobs can be looked at, not retried, removed or added',
  'ERRORS.JOB_NOT_FOUND': 'no such job in this queue',
};

/** bull-board's `error.key` (`ERRORS.QUEUE_NOT_FOUND`), when its body is one of its errors. */
function bullBoardKey(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null || !('error' in payload)) return undefined;
  const { error } = payload;
  if (typeof error === 'object' && error !== null && 'key' in error && typeof error.key === 'string') return error.key;
  return typeof error === 'string' ? error : undefined;
}

/**
 * Inside the dashboard's scope only: bull-board's own error bodies (`{"error": {"key": ...}}`,
 * its 404, its 405 for a read-only queue, its 500 with the thrown message) become the one error
 * shape. `key` is kept next to `code` and `message`, for bull-board's page; a 5xx says only
 * "internal error" and is logged.
 */
function reshapeBullBoardErrors(logger: Logger) {
  return async function reshape(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    const status = reply.statusCode;
    if (status < 400) return payload;
    const key = bullBoardKey(payload);
    if (key === undefined) return payload;
    if (status >= 500) {
      logger.error({ route: request.routeOptions.url ?? 'unmatched', request_id: request.id, key }, 'dashboard error');
      const body = errorBody(codeForStatus(status), `internal error (request ${request.id}); see the service log`);
      return { error: { ...body.error, key } };
    }
    const body: HttpErrorBody = errorBody(codeForStatus(status), BULL_BOARD_MESSAGES[key] ?? `dashboard error ${key}`);
    return { error: { ...body.error, key } };
  };
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
    scope.addHook('preSerialization', reshapeBullBoardErrors(options.logger));
    await scope.register(serverAdapter.registerPlugin(), { prefix: ADMIN_QUEUES_PATH });
  });
}
