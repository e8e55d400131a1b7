import { Option, type Command } from 'commander';
import { DEFAULT_CHUNK_SIZE } from '../../jobs/bulk-import-enqueue.js';
import { createCsvFileSource, domainRules } from '../app.js';
import type { EnqueuePayloads, Producer } from '../app/producer.js';
import { loadConfig, type Config } from '../config.js';
import { columnKey } from '../domain/account-record.js';
import { ConfigError } from '../errors.js';
import { exitCodeFor } from '../engine/report.js';
import { REPORT_FILES, writeReportFiles } from '../engine/report-writer.js';
import { describeItem, renderSummaryTable } from '../engine/summary-text.js';
import { createLogger } from '../logger.js';
import { toRedisUnavailable } from '../store/redis-connections.js';
import { describeCounts } from './run-table.js';
import { escapingStream } from './escaping-stream.js';
import { outputError, pathArgument, prepareOutputDirectory } from './output-location.js';
import type { CommandIo } from './sync-command.js';

/** Flags every `orgsync enqueue` subcommand has. */
export interface EnqueueFlags {
  wait?: boolean;
  reportDir?: string;
  queue?: string;
}
/** Flags of `orgsync enqueue bulk-import`. */
export interface BulkImportFlags extends EnqueueFlags {
  chunkSize?: string;
  region?: string;
  delimiter?: string;
  encoding?: string;
  /** `--map FIELD=COLUMN,...` (ORGSYNC_COLUMN_MAP). */
  map?: string;
}
/** Flags of `orgsync enqueue reconcile`. */
export interface ReconcileFlags extends EnqueueFlags {
  accountId?: string;
  region?: string;
  displayName?: string;
  metadata?: string[];
  orgId?: string;
  externalId?: string;
}

/** The flags every queued-job command shares (`enqueue ...`, `retry`). */
export const common = (cmd: Command): Command =>
  cmd
    .option('--wait', 'follow the job to its end, print its summary and exit with the same code as orgsync apply')
    .addOption(
      new Option('--report-dir <dir>', 'with --wait: write report.json, results.csv and summary.md here').argParser(
        pathArgument,
      ),
    )
    .option('--queue <name>', 'BullMQ queue the workers take jobs from [env ORGSYNC_QUEUE, default orgsync]');

/** Registers `orgsync enqueue bulk-import|nightly-sync|reconcile`. */
export function registerEnqueueCommand(program: Command, io: CommandIo): void {
  const enqueue = program
    .command('enqueue')
    .description('put a job on the queue for orgsync worker; prints the job id');
  common(
    enqueue.command('bulk-import').description('import a CSV (read and checked here) in chunks shared by every worker'),
  )
    .argument('<csv>', 'the accounts file (csv:PATH or a path)')
    .option('--chunk-size <n>', 'rows per chunk job', String(DEFAULT_CHUNK_SIZE))
    .option('--region <region>', 'give every record this region (the region column is then not needed)')
    .option('--delimiter <char>', 'CSV delimiter: , ; tab | (default: detected from the header)')
    .option('--encoding <name>', 'CSV encoding when not UTF-8, e.g. windows-1252')
    .option(
      '--map <field=column,...>',
      "the CSV's column for each of orgsync's fields, e.g. display_name=company_name [env ORGSYNC_COLUMN_MAP]",
    )
    .action(async (csv: string, flags: BulkImportFlags) => {
      process.exitCode = await runEnqueueCommand({ kind: 'bulk-import', csv, flags }, io);
    });
  common(
    enqueue
      .command('nightly-sync')
      .description("run the nightly full sync now (the source is the workers' ORGSYNC_SOURCE)"),
  ).action(async (flags: EnqueueFlags) => {
    process.exitCode = await runEnqueueCommand({ kind: 'nightly-sync', flags }, io);
  });
  common(
    enqueue
      .command('reconcile')
      .description('reconcile one account (--account-id and --region) or one organization (--org-id or --external-id)'),
  )
    .option('--account-id <id>', 'the account; with --region')
    .option('--region <region>', "the account's region")
    .option(
      '--display-name <name>',
      'the whole account is given here (owned metadata keys not set with --metadata are removed); without it the worker reads the account from ORGSYNC_SOURCE',
    )
    .addOption(new Option('--metadata <key=value...>', 'owned metadata of a whole account'))
    .option('--org-id <id>', 'an organization: restore what the host source says for its external ID')
    .option('--external-id <id>', 'an organization, by external ID (e.g. us-east-CUST-1)')
    .action(async (flags: ReconcileFlags) => {
      process.exitCode = await runEnqueueCommand({ kind: 'reconcile', flags }, io);
    });
}

/** What to enqueue, from the command line. */
export type EnqueueRequest =
  | { kind: 'bulk-import'; csv: string; flags: BulkImportFlags }
  | { kind: 'nightly-sync'; flags: EnqueueFlags }
  | { kind: 'reconcile'; flags: ReconcileFlags };

/** Enqueues one job, prints its id and, with `--wait`, follows it; returns the exit code. */
export async function runEnqueueCommand(request: EnqueueRequest, io: CommandIo): Promise<number> {
  const config = loadConfig({
    env: io.env,
    // A bulk import's --region/--delimiter/--encoding override ORGSYNC_REGION/_CSV_DELIMITER/_CSV_ENCODING
    // (a reconcile's --region is its account's, not a setting).
    flags:
      request.kind === 'bulk-import'
        ? {
            region: request.flags.region,
            csvDelimiter: request.flags.delimiter,
            csvEncoding: request.flags.encoding,
            columnMap: request.flags.map,
            queueName: request.flags.queue,
          }
        : { queueName: request.flags.queue },
    command: `orgsync enqueue ${request.kind}`,
  });
  if (request.flags.wait && request.flags.reportDir)
    await prepareOutputDirectory('--report-dir', request.flags.reportDir, REPORT_FILES);
  io = { ...io, stdout: escapingStream(io.stdout), stderr: escapingStream(io.stderr) };
  const logger = createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel });
  // Loaded here, not at the top: BullMQ would slow every other command's start.
  const { createCommandProducer } = await import('../app/producer.js');
  const producer = createCommandProducer(config, logger);
  try {
    const { jobId, runsAfter } = await enqueueRequest(request, config, producer, io);
    return request.flags.wait ? await follow(jobId, runsAfter, request.flags, config, producer, io) : 0;
  } catch (error) {
    // Redis stayed away longer than ORGSYNC_REDIS_TIMEOUT_MS: say which Redis, not ioredis's words.
    throw toRedisUnavailable(error, config, config.redisTimeoutMs);
  } finally {
    await producer.close();
  }
}

async function enqueueRequest(
  request: EnqueueRequest,
  config: Config,
  producer: Producer,
  io: CommandIo,
): Promise<{ jobId: string; runsAfter?: string | undefined }> {
  if (request.kind === 'bulk-import') {
    const { flags } = request;
    const chunkSize = Number(flags.chunkSize ?? DEFAULT_CHUNK_SIZE);
    if (!Number.isInteger(chunkSize) || chunkSize <= 0)
      throw new ConfigError([
        `--chunk-size: expected a whole number greater than 0 (got ${JSON.stringify(flags.chunkSize)})`,
      ]);
    const rules = domainRules(config, config.region);
    const path = request.csv.startsWith('csv:') ? request.csv.slice(4) : request.csv;
    const source = createCsvFileSource(path, config, rules);
    const { enqueueBulkImport } = await import('../app/producer.js');
    const done = await enqueueBulkImport(producer, { source, rules, chunkSize, trigger: 'cli' });
    io.stdout.write(
      `Enqueued bulk-import job ${done.jobId}: ${done.accounts} records read, ${done.chunks} chunk${done.chunks === 1 ? '' : 's'} of up to ${chunkSize} rows.\n`,
    );
    if (done.problems.length > 0) {
      io.stdout.write(
        `${done.problems.length} row${done.problems.length === 1 ? '' : 's'} refused (counted in the final report as well):\n`,
      );
      for (const item of done.problems.slice(0, 20)) io.stdout.write(`  ${describeItem(item)}\n`);
      if (done.problems.length > 20) io.stdout.write(`  … and ${done.problems.length - 20} more\n`);
    }
    return { jobId: done.jobId };
  }
  const { jobId, deduplicated, runsAfter } =
    request.kind === 'nightly-sync'
      ? await producer.enqueue('nightly-sync', { trigger: 'cli' })
      : await producer.enqueue('reconcile', reconcilePayload(request.flags));
  io.stdout.write(
    runsAfter
      ? `A ${request.kind} job for the same target is running (job ${runsAfter}): job ${jobId} runs after it.\n`
      : deduplicated
        ? `An equal ${request.kind} job is already waiting: job ${jobId} (not enqueued again).\n`
        : `Enqueued ${request.kind} job ${jobId}.\n`,
  );
  return { jobId, runsAfter };
}

function reconcilePayload(flags: ReconcileFlags): EnqueuePayloads['reconcile'] {
  const targets = [flags.accountId !== undefined, flags.orgId !== undefined, flags.externalId !== undefined].filter(
    Boolean,
  ).length;
  if (targets !== 1)
    throw new ConfigError([
      'orgsync enqueue reconcile: give exactly one of --account-id (with --region), --org-id and --external-id',
    ]);
  if (flags.orgId !== undefined) return { org_id: flags.orgId, trigger: 'cli' };
  if (flags.externalId !== undefined) return { external_id: flags.externalId, trigger: 'cli' };
  if (flags.region === undefined) throw new ConfigError(['--account-id needs --region (e.g. --region us-east)']);
  if (flags.displayName === undefined && flags.metadata)
    throw new ConfigError(['--metadata needs --display-name: a whole account is given, or only its ID']);
  const cells: Record<string, string | null> = {};
  if (flags.displayName !== undefined) {
    for (const pair of flags.metadata ?? []) {
      const at = pair.indexOf('=');
      if (at <= 0) throw new ConfigError([`--metadata: expected key=value (got ${JSON.stringify(pair)})`]);
      cells[columnKey(pair.slice(0, at))] = pair.slice(at + 1);
    }
    cells.display_name = flags.displayName;
  }
  return { account: { ...cells, account_id: flags.accountId ?? '', region: flags.region }, trigger: 'cli' };
}

/** `--wait`: follows the job, prints the same summary as `orgsync apply`, returns the same exit code (also `orgsync retry --wait`). */
export async function follow(
  jobId: string,
  runsAfter: string | undefined,
  flags: EnqueueFlags,
  config: Config,
  producer: Producer,
  io: CommandIo,
): Promise<number> {
  const { followJob } = await import('../app/follow-job.js');
  const end = await followJob(producer, config, jobId, {
    runsAfter,
    onState: (state) => io.stderr.write(`job ${jobId}: ${state}\n`),
  });
  if (end.end === 'failed') {
    io.stderr.write(`orgsync: job ${jobId} failed: ${end.reason}\n`);
    return 1;
  }
  if (end.end === 'skipped') {
    io.stdout.write(`Nothing to do: ${end.reason} (no run recorded).\n`);
    return 0;
  }
  const { runId, stored } = end;
  if (!stored?.report) {
    io.stderr.write(
      `orgsync: job ${jobId} completed, but its run ${runId ?? '(unknown)'} is no longer in the run history\n`,
    );
    return 1;
  }
  io.stdout.write(renderSummaryTable(stored.report));
  if (stored.summary.items_stored < stored.summary.items_total)
    io.stdout.write(
      `(the run history kept ${stored.summary.items_stored} of ${stored.summary.items_total} items: ${describeCounts(stored.summary.counts)})\n`,
    );
  if (flags.reportDir) {
    const files = await writeReportFiles(flags.reportDir, stored.report).catch((error: unknown) => {
      throw outputError('--report-dir', flags.reportDir ?? '', error, 'after');
    });
    io.stdout.write(`Reports: ${files.join(', ')}\n`);
  }
  return exitCodeFor(stored.report);
}
