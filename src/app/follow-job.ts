import type { Config } from '../config.js';
import { isSkippedOutcome } from '../job-contract.js';
import { waitForJob } from '../queue/wait-for-job.js';
import { queueKeyPrefix } from '../store/redis-connections.js';
import { createRunHistory, type StoredRun } from '../store/run-history.js';
import type { Producer } from './producer.js';

/** How a followed job ended (`orgsync enqueue --wait`). */
export type FollowedJob =
  | { end: 'failed'; reason: string }
  /** A reconcile that found the organization already as the host system says: no run recorded. */
  | { end: 'skipped'; reason: string }
  /** `stored` is `null` when the run is no longer in the run history. */
  | { end: 'completed'; runId: string | undefined; stored: StoredRun | null };

/**
 * Follows job `jobId` to its end (after `runsAfter`, the running job it follows up, when given)
 * and reads its run from the run history.
 */
export async function followJob(
  producer: Producer,
  config: Config,
  jobId: string,
  options: { runsAfter?: string | undefined; onState?: (state: string) => void } = {},
): Promise<FollowedJob> {
  const { queue, redis } = await producer.resources();
  // A follow-up is added to the queue only when the running job ends: wait for that first.
  if (options.runsAfter) await waitForJob(queue, options.runsAfter).catch(() => undefined);
  const end = await waitForJob(queue, jobId, { onState: options.onState });
  if (end.state === 'failed') return { end: 'failed', reason: end.reason };
  const result = end.result;
  if (isSkippedOutcome(result)) return { end: 'skipped', reason: String(result.reason) };
  const runId =
    typeof result === 'object' && result !== null && 'run_id' in result && typeof result.run_id === 'string'
      ? result.run_id
      : undefined;
  const history = createRunHistory(redis, {
    keyPrefix: queueKeyPrefix(producer.queueName, redis),
    limit: config.runHistory,
  });
  return { end: 'completed', runId, stored: runId ? await history.get(runId) : null };
}
