#!/usr/bin/env node
import { Command, Option } from 'commander';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runSyncCommand, type SyncFlags } from './commands/sync-command.js';
import { pathArgument } from './commands/output-location.js';
import { registerCommands } from './commands/register.js';
import { processEnv } from './config.js';
import { escapeLines } from './domain/safe-text.js';
import { OrgsyncError, coerceError } from './errors.js';

/** Builds the `orgsync` command line. Holds no logic: each action calls one command function. */
export function buildProgram(io = { env: processEnv(), stdout: process.stdout, stderr: process.stderr }): Command {
  const program = new Command('orgsync')
    .description('Keep Scalekit organizations in step with your own accounts.')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(escapeLines(s)) });

  const sourceOptions = (cmd: Command): Command =>
    cmd
      .option(
        '--source <src>',
        'csv:PATH (or a *.csv path), postgres: / postgres:TABLE, or an http(s):// URL [env ORGSYNC_SOURCE]',
      )
      .addOption(
        new Option(
          '--scope <scope>',
          'partial: only the accounts given; full: the source is the whole truth (finds orphans)',
        )
          .choices(['partial', 'full'])
          .default('partial'),
      )
      .addOption(
        new Option('--report-dir <dir>', 'write report.json, results.csv and summary.md here').argParser(pathArgument),
      )
      .option('--region <region>', 'give every record this region (the region column is then not needed)')
      .option('--delimiter <char>', 'CSV delimiter: , ; tab | (default: detected from the header)')
      .option('--encoding <name>', 'CSV encoding when not UTF-8, e.g. windows-1252, latin1, utf-16le')
      .option(
        '--map <field=column,...>',
        "the source's column for each of orgsync's fields, e.g. display_name=company_name,invoice_email=billing_email [env ORGSYNC_COLUMN_MAP]",
      )
      .option('--concurrency <n>', 'writes in flight [env ORGSYNC_CONCURRENCY, default 8]')
      .option('--rate-limit <rps>', 'Scalekit requests per second [env ORGSYNC_RATE_LIMIT, default 10]')
      .option(
        '--since <last|instant>',
        'incremental (postgres:/http sources): only accounts updated since the last fully successful run (last) or an RFC 3339 instant',
      )
      .option(
        '--no-shared-budget',
        "with REDIS_URL set: do not join the workers' shared rate budget and per-organization locks (this process gets its own ORGSYNC_RATE_LIMIT)",
      );

  sourceOptions(
    program.command('plan').description('dry run: show what apply would change; writes nothing to Scalekit'),
  )
    .addOption(
      new Option('--out <file>', 'save the plan, to apply later exactly as saved with: orgsync apply FILE').argParser(
        pathArgument,
      ),
    )
    .option('--detailed-exitcode', 'exit 2 when drift was found (0: none, 1: errors)')
    .option(
      '--allow-delete',
      'with --scope full: show the deletes apply --allow-delete would make, and those withheld and why; a plan saved with --out then deletes them',
    )
    .action(async (flags: SyncFlags) => {
      process.exitCode = await runSyncCommand('plan', undefined, flags, io);
    });

  sourceOptions(
    program
      .command('apply')
      .description('reconcile now: create and update organizations (and delete orphans with --allow-delete)'),
  )
    .argument('[plan-file]', 'a plan saved by orgsync plan --out; organizations changed since are reported as stale')
    .option(
      '--allow-delete',
      'with --scope full: delete orphans (withheld above the thresholds, never with an enabled SCIM directory); a saved plan carries its own',
    )
    .option(
      '--adopt [external-ids]',
      'link adoptable organizations (no external ID, same display name) instead of withholding them: all of them, or only these external IDs (comma-separated)',
    )
    .addHelpText(
      'after',
      "\nWith ORGSYNC_NOTIFY_URL set, the run is notified before the command exits (ORGSYNC_NOTIFY_ON, docs/operations.md); the exit code stays the run's.",
    )
    .action(async (planFile: string | undefined, flags: SyncFlags) => {
      process.exitCode = await runSyncCommand('apply', planFile, flags, io);
    });

  registerCommands(program, io);
  return program;
}

/** Runs the CLI; any error that escapes a command ends it with exit code 1 and a plain message. */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    const e = coerceError(error);
    const message = e instanceof OrgsyncError ? e.message : `unexpected error: ${e.message}`;
    process.stderr.write(`orgsync: ${escapeLines(message)}\n`);
    if (!(e instanceof OrgsyncError) && e.stack) process.stderr.write(`${escapeLines(e.stack)}\n`);
    process.exitCode = 1;
  }
}

/**
 * Policy for errors nothing caught: say so on stderr and exit non-zero. A long-running command
 * (worker, serve) has SIGTERM handlers: it is asked to shut down gracefully instead, within its
 * own deadline; anything else exits at once.
 */
function installCrashHandlers(): void {
  const crash = (kind: string) => (error: unknown) => {
    const e = coerceError(error);
    process.stderr.write(`orgsync: ${kind}: ${escapeLines(e.stack ?? e.message)}\n`);
    process.exitCode = 1;
    if (process.listenerCount('SIGTERM') > 0) process.emit('SIGTERM', 'SIGTERM');
    else process.exit(1);
  };
  process.on('uncaughtException', crash('uncaught exception'));
  process.on('unhandledRejection', crash('unhandled promise rejection'));
  // `orgsync plan ... | head`: the reader went away. Stop printing, but let the command finish
  // (an apply still writes its report) and keep its exit code.
  const ignoreClosedReader = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    crash('output error')(error);
  };
  process.stdout.on('error', ignoreClosedReader);
  process.stderr.on('error', ignoreClosedReader);
}

const invokedDirectly =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  installCrashHandlers();
  await main(process.argv);
}
