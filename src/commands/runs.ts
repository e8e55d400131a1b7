import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { renderSummaryTable } from '../engine/summary-text.js';
import { openRunHistory } from '../app/run-history.js';
import { toRedisUnavailable } from '../store/redis-connections.js';
import { isRunKind, RUN_KINDS, unknownRunKindMessage, type RunHistory, type RunKind } from '../store/run-history.js';
import { renderRunHeader, renderRunsTable } from './run-table.js';
import { escapingStream } from './escaping-stream.js';
import type { CommandIo } from './sync-command.js';

/** Flags of `orgsync runs` and `orgsync runs show`. */
export interface RunsFlags {
  json?: boolean;
  limit?: string;
  queue?: string;
  kind?: string;
}

/** Registers `orgsync runs` and `orgsync runs show ID`. */
export function registerRunsCommand(program: Command, io: CommandIo): void {
  const runs = program
    .command('runs')
    .description(
      'list the run history kept in Redis (newest first): id, kind, trigger, started, duration, counts, result',
    )
    .option('--json', 'print JSON instead of a table')
    .option('--limit <n>', 'at most this many runs (default: all kept, ORGSYNC_RUN_HISTORY of each kind)')
    .option('--kind <kind>', `only runs of this kind: ${RUN_KINDS.join(', ')}`)
    .option('--queue <name>', 'BullMQ queue whose runs to show [env ORGSYNC_QUEUE, default orgsync]')
    .action(async (flags: RunsFlags) => {
      process.exitCode = await runRunsCommand({ flags }, io);
    });
  runs
    .command('show')
    .description('print one run and its report (the same summary as orgsync apply)')
    .argument('<id>', 'the run id (first column of orgsync runs)')
    .option('--json', 'print the summary and the whole report as JSON')
    .option('--queue <name>', 'BullMQ queue whose runs to show [env ORGSYNC_QUEUE, default orgsync]')
    .action(async (id: string, flags: RunsFlags) => {
      process.exitCode = await runRunsCommand({ flags, runId: id }, io);
    });
}

/** `orgsync runs` (no `runId`) or `orgsync runs show ID`; returns the exit code (1 for an unknown run). */
export async function runRunsCommand(request: { flags: RunsFlags; runId?: string }, io: CommandIo): Promise<number> {
  const { flags, runId } = request;
  // Run ids, sources and reports come from Redis: every line is escaped on its way out.
  io = { ...io, stdout: escapingStream(io.stdout), stderr: escapingStream(io.stderr) };
  const limit = flags.limit === undefined ? undefined : Number(flags.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new ConfigError([`--limit: expected a whole number greater than 0 (got ${JSON.stringify(flags.limit)})`]);
  const kind = flags.kind;
  if (kind !== undefined && !isRunKind(kind)) throw new ConfigError([`--kind: ${unknownRunKindMessage(kind)}`]);
  const config = loadConfig({ env: io.env, flags: { queueName: flags.queue }, command: 'orgsync runs' });
  const { history, close } = await openRunHistory(config, config.queueName);
  try {
    return runId === undefined ? await list(history, limit, kind, flags, io) : await show(history, runId, flags, io);
  } catch (error) {
    throw toRedisUnavailable(error, config, config.redisTimeoutMs);
  } finally {
    await close();
  }
}

async function list(
  history: RunHistory,
  limit: number | undefined,
  kind: RunKind | undefined,
  flags: RunsFlags,
  io: CommandIo,
): Promise<number> {
  const runs = await history.list(limit, { kind });
  io.stdout.write(flags.json ? `${JSON.stringify(runs, null, 2)}\n` : renderRunsTable(runs));
  return 0;
}

async function show(history: RunHistory, runId: string, flags: RunsFlags, io: CommandIo): Promise<number> {
  const run = await history.get(runId);
  if (!run) {
    io.stderr.write(
      `orgsync: no run ${runId} in the history (it keeps the last ORGSYNC_RUN_HISTORY runs of each kind); list them with: orgsync runs\n`,
    );
    return 1;
  }
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(renderRunHeader(run.summary));
  if (run.report) io.stdout.write(`\n${renderSummaryTable(run.report)}`);
  return 0;
}
