import type { Command } from 'commander';
import { openRunHistory } from '../app/run-history.js';
import { loadConfig } from '../config.js';
import { REPORT_FILES } from '../engine/report-writer.js';
import { retryTargets } from '../engine/retry-records.js';
import { createLogger } from '../logger.js';
import { toRedisUnavailable } from '../store/redis-connections.js';
import { common, follow, type EnqueueFlags } from './enqueue.js';
import { escapingStream } from './escaping-stream.js';
import { prepareOutputDirectory } from './output-location.js';
import type { CommandIo } from './sync-command.js';

/** Registers `orgsync retry RUN_ID`. */
export function registerRetryCommand(program: Command, io: CommandIo): void {
  common(
    program
      .command('retry')
      .description(
        'queue one job that reconciles again the items of a stored run whose action was failed or stale (nothing else); prints the job id',
      )
      .argument('<run-id>', 'the run (first column of orgsync runs)'),
  ).action(async (runId: string, flags: EnqueueFlags) => {
    process.exitCode = await runRetryCommand(runId, flags, io);
  });
}

/**
 * `orgsync retry RUN_ID`: 1 for an unknown run; 0, saying so, for a run with nothing to retry;
 * otherwise enqueues one `retry` job and, with `--wait`, reports like `orgsync enqueue --wait`.
 */
export async function runRetryCommand(runId: string, flags: EnqueueFlags, io: CommandIo): Promise<number> {
  const config = loadConfig({ env: io.env, flags: { queueName: flags.queue }, command: 'orgsync retry' });
  if (flags.wait && flags.reportDir) await prepareOutputDirectory('--report-dir', flags.reportDir, REPORT_FILES);
  // Run IDs, sources and reports come from Redis: every line is escaped on its way out.
  io = { ...io, stdout: escapingStream(io.stdout), stderr: escapingStream(io.stderr) };
  const { history, close } = await openRunHistory(config, config.queueName);
  let stored;
  try {
    stored = await history.get(runId);
  } finally {
    await close();
  }
  if (!stored) {
    io.stderr.write(
      `orgsync: no run ${runId} in the history (it keeps the last ORGSYNC_RUN_HISTORY runs of each kind); list them with: orgsync runs\n`,
    );
    return 1;
  }
  const targets = retryTargets(stored.report?.items ?? []);
  if (targets.length === 0) {
    const { error, kind } = stored.summary;
    io.stdout.write(
      stored.report === null
        ? `Run ${runId} (${kind}) failed as a whole${error ? ` (${error.code}: ${error.message})` : ''}: it has no items to retry; run it again instead.\n`
        : `Run ${runId} (${kind}) has nothing to retry: no item failed or went stale.\n`,
    );
    return 0;
  }
  const logger = createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel });
  // Loaded here, not at the top: BullMQ would slow every other command's start.
  const { createCommandProducer } = await import('../app/producer.js');
  const producer = createCommandProducer(config, logger);
  try {
    const { jobId } = await producer.enqueue('retry', { run_id: runId, trigger: 'cli' });
    io.stdout.write(
      `Enqueued retry job ${jobId}: ${targets.length} item${targets.length === 1 ? '' : 's'} of run ${runId} (failed or stale).\n`,
    );
    const { items_stored: kept, items_total: total } = stored.summary;
    if (kept < total)
      io.stdout.write(
        `(the history kept ${kept} of the run's ${total} items: failed or stale items beyond them are not retried; the next full run picks them up)\n`,
      );
    return flags.wait ? await follow(jobId, undefined, flags, config, producer, io) : 0;
  } catch (error) {
    // Redis stayed away longer than ORGSYNC_REDIS_TIMEOUT_MS: say which Redis, not ioredis's words.
    throw toRedisUnavailable(error, config, config.redisTimeoutMs);
  } finally {
    await producer.close();
  }
}
