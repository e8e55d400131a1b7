import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { exitCodeFor } from '../engine/report.js';
import { retryRecordsOf } from '../engine/retry-records.js';
import type { SavedPlan } from '../engine/saved-plan.js';
import type { RunReport } from '../engine/types.js';
import { closeConnection, connectProducerConnection, queueKeyPrefix } from '../store/redis-connections.js';
import { createRunHistory } from '../store/run-history.js';

/** Run kind of an `orgsync apply` recorded in the run history. */
export const CLI_APPLY_KIND = 'cli-apply';

/**
 * Records an `orgsync apply` in the run history of `ORGSYNC_QUEUE` (where `orgsync runs`,
 * `/runs` and `orgsync retry` look), kind `cli-apply`, with the account records of its failed
 * and stale items (from the plan) so that `orgsync retry` can retry them. Returns the run ID, or
 * `null` when Redis could not take it: the run itself is done, so that is a warning, not a failure.
 */
export async function recordCliApply(options: {
  config: Config;
  logger: Logger;
  report: RunReport;
  plan?: SavedPlan | undefined;
}): Promise<string | null> {
  const { config, report, plan } = options;
  try {
    const redis = await connectProducerConnection(config);
    try {
      const history = createRunHistory(redis, {
        keyPrefix: queueKeyPrefix(config.queueName, redis),
        limit: config.runHistory,
      });
      await history.record({
        runId: report.run_id,
        kind: CLI_APPLY_KIND,
        trigger: 'cli',
        startedAt: new Date(report.started_at),
        finishedAt: new Date(report.finished_at),
        report,
        exitCode: exitCodeFor(report),
        retryRecords: plan ? retryRecordsOf(report, plan.items, config.regions) : [],
      });
      return report.run_id;
    } finally {
      await closeConnection(redis);
    }
  } catch (error) {
    options.logger.warn(
      { err: error },
      'could not record this run in the run history (REDIS_URL); the run itself is complete',
    );
    return null;
  }
}
