import type { EventEmitter } from 'node:events';
import type { Command } from 'commander';
import { SCALEKIT_SETTINGS, loadConfig } from '../config.js';
import { onShutdownSignals } from '../lifecycle.js';
import { createLogger } from '../logger.js';
import type { CommandIo } from './sync-command.js';

/** Flags of `orgsync worker`, as commander gives them. */
export interface WorkerFlags {
  concurrency?: string;
  queue?: string;
  shutdownTimeoutMs?: string;
  rateLimit?: string;
  schedule?: boolean;
  healthPort?: string;
}

/** Registers `orgsync worker`. */
export function registerWorkerCommand(program: Command, io: CommandIo): void {
  program
    .command('worker')
    .description(
      'run queued jobs (nightly sync, bulk imports, reconciles) and the nightly job scheduler, until SIGTERM/SIGINT',
    )
    .option(
      '--concurrency <n>',
      'jobs this process runs at once (each also has ORGSYNC_CONCURRENCY writes in flight)',
      '2',
    )
    .option('--queue <name>', 'BullMQ queue to take jobs from [env ORGSYNC_QUEUE, default orgsync]')
    .option(
      '--shutdown-timeout-ms <ms>',
      'on SIGTERM/SIGINT, how long running jobs may finish before they are handed back to the queue',
      '30000',
    )
    .option(
      '--rate-limit <rps>',
      'Scalekit requests per second shared by every worker [env ORGSYNC_RATE_LIMIT, default 10]',
    )
    .option('--no-schedule', 'do not register the nightly sync scheduler')
    .option(
      '--health-port <port>',
      'serve GET /healthz on this port (host ORGSYNC_HTTP_HOST): 200 while Redis and the worker run, 503 otherwise [default: off]',
    )
    .action(async (flags: WorkerFlags) => {
      process.exitCode = await runWorkerCommand(flags, io);
    });
}

/**
 * Runs the worker until the first SIGTERM or SIGINT, then shuts down gracefully within the
 * deadline; a second signal cuts it short. Returns the exit code (0 after a clean shutdown).
 */
export async function runWorkerCommand(
  flags: WorkerFlags,
  io: CommandIo,
  signals: EventEmitter = process,
): Promise<number> {
  const config = loadConfig({
    env: io.env,
    flags: {
      rateLimit: flags.rateLimit,
      workerConcurrency: flags.concurrency,
      workerShutdownTimeoutMs: flags.shutdownTimeoutMs,
      workerHealthPort: flags.healthPort,
      queueName: flags.queue,
    },
    require: SCALEKIT_SETTINGS,
    command: 'orgsync worker',
  });
  const logger = createLogger({ level: config.logLevel });
  const deadlineMs = config.workerShutdownTimeoutMs;
  // Loaded here, not at the top: BullMQ would slow every other command's start.
  const { startWorker } = await import('../app/worker.js');
  const worker = await startWorker({
    config,
    logger,
    queueName: config.queueName,
    concurrency: config.workerConcurrency,
    schedule: flags.schedule !== false,
    healthPort: config.workerHealthPort,
    lockDurationMs: config.workerLockDurationMs,
    stalledIntervalMs: config.workerStalledIntervalMs,
  });
  if (!worker.schedule.scheduled)
    io.stderr.write(`orgsync worker: the nightly sync is not scheduled: ${worker.schedule.reason}\n`);

  await new Promise<void>((resolve) => {
    const stop = onShutdownSignals((signal, count) => {
      if (count === 1) {
        logger.info(
          { signal, deadline_ms: deadlineMs },
          'shutting down: no new jobs; running ones may finish until the deadline',
        );
        void worker.close({ deadlineMs }).finally(() => {
          stop();
          resolve();
        });
      } else {
        logger.warn({ signal }, 'second signal: stopping now; running jobs will be taken over by another worker');
        void worker.kill();
      }
    }, signals);
  });
  return 0;
}
