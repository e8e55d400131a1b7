import { InvalidArgumentError, Option, type Command } from 'commander';
import { SCALEKIT_SETTINGS, loadConfig } from '../config.js';
import { onShutdownSignals } from '../lifecycle.js';
import { createLogger } from '../logger.js';
import type { CommandIo } from './sync-command.js';

/** Flags of `orgsync serve`, as commander parses them. */
interface ServeFlags {
  host?: string;
  port?: string;
  queue?: string;
  shutdownTimeoutMs: number;
}

function milliseconds(raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError(`expected a positive whole number of milliseconds, got ${JSON.stringify(raw)}`);
  return n;
}

/**
 * Runs the HTTP service until SIGTERM/SIGINT, then shuts it down within the deadline. Prints the
 * service's URL as the first line on stdout. Returns the exit code.
 */
export async function runServeCommand(flags: ServeFlags, io: CommandIo): Promise<number> {
  const config = loadConfig({
    env: io.env,
    flags: { httpHost: flags.host, httpPort: flags.port, queueName: flags.queue },
    require: [...SCALEKIT_SETTINGS, 'redisUrl'],
    command: 'orgsync serve',
  });
  const logger = createLogger({ level: config.logLevel });
  // Loaded here, not at the top: fastify, bull-board and BullMQ would slow every other command's start.
  const { startHttpService } = await import('../app/http-service.js');
  const service = await startHttpService({ config, logger, queueName: config.queueName });
  io.stdout.write(`${service.url}\n`);
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    const remove = onShutdownSignals((signal, count) => {
      if (count === 1) {
        logger.info(
          { signal, deadline_ms: flags.shutdownTimeoutMs },
          'shutting down: no new requests; draining those in flight',
        );
        resolve(signal);
        return;
      }
      logger.warn({ signal }, 'second signal: cutting every connection now');
      remove();
      service.cut();
    });
  });
  await stopped;
  try {
    await service.close(flags.shutdownTimeoutMs);
    logger.info('orgsync serve stopped');
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'orgsync serve did not stop cleanly');
    return 1;
  }
}

/** Adds `orgsync serve`: webhooks, health, metrics, the queue dashboard and the run pages over HTTP. */
export function registerServeCommand(program: Command, io: CommandIo): void {
  program
    .command('serve')
    .description(
      'HTTP service: webhooks (/webhooks/accounts, /webhooks/scalekit), /healthz, /readyz, /metrics, /admin/queues and /runs; prints its URL first',
    )
    .option('--host <host>', 'address to bind [env ORGSYNC_HTTP_HOST, default 127.0.0.1]')
    .option('--port <n>', 'port to listen on, 0 for any free one [env ORGSYNC_HTTP_PORT, default 8080]')
    .option(
      '--queue <name>',
      "BullMQ queue the webhooks put jobs on (the workers' queue) [env ORGSYNC_QUEUE, default orgsync]",
    )
    .addOption(
      new Option('--shutdown-timeout-ms <ms>', 'on SIGTERM/SIGINT, cut connections still open after this long')
        .argParser(milliseconds)
        .default(10_000),
    )
    .action(async (flags: ServeFlags) => {
      process.exitCode = await runServeCommand(flags, io);
    });
}
