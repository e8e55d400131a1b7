import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { StoredRun } from '../store/run-history.js';
import { sendError } from './http-error.js';
import type { RunHistoryReader } from './run-history-reader.js';

const paramsSchema = z.object({ id: z.string().min(1).max(200) });

/**
 * The run named by `:id`, or `undefined` after answering 404 (unknown, or dropped from the
 * history). A failing history read (Redis down) propagates to the error handler.
 */
export async function lookupRun(
  history: RunHistoryReader,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<StoredRun | undefined> {
  const params = paramsSchema.safeParse(request.params);
  const run = params.success ? await history.get(params.data.id) : null;
  if (run === null) {
    await sendError(
      reply,
      404,
      'not_found',
      'no such run in the history (it may be older than the last ORGSYNC_RUN_HISTORY runs)',
    );
    return undefined;
  }
  return run;
}
