import { dirname } from 'node:path';
import { checkRegionFlag } from '../app.js';
import { randomUUID } from 'node:crypto';
import { CLI_APPLY_KIND, recordCliApply } from '../app/cli-run-record.js';
import { notifyCliRun } from '../app/notify-cli-run.js';
import { runSyncOnce } from '../app/sync-run.js';
import { SCALEKIT_SETTINGS, loadConfig, type ScalekitConfig } from '../config.js';
import { ConfigError, describeError } from '../errors.js';
import { exitCodeFor } from '../engine/report.js';
import { REPORT_FILES, writeReportFiles } from '../engine/report-writer.js';
import { writeSavedPlan } from '../engine/saved-plan.js';
import { renderSummaryTable } from '../engine/summary-text.js';
import type { RunReport } from '../engine/types.js';
import { createLogger } from '../logger.js';
import { escapeText } from '../domain/safe-text.js';
import {
  outputError,
  prepareOutputDirectory,
  prepareOutputFile,
  removeIfUnused,
  type PreparedLocation,
} from './output-location.js';
import { checkSinceFlag } from './since-flag.js';
import { createProgressReporter } from './progress.js';

/** Flags of `orgsync plan` and `orgsync apply`, as commander gives them. */
export interface SyncFlags {
  source?: string;
  scope?: string;
  out?: string;
  reportDir?: string;
  detailedExitcode?: boolean;
  region?: string;
  delimiter?: string;
  encoding?: string;
  /** `--map FIELD=COLUMN,...` (ORGSYNC_COLUMN_MAP). */
  map?: string;
  concurrency?: string;
  rateLimit?: string;
  allowDelete?: boolean;
  /** `--adopt` alone: every adoptable item; `--adopt ID,ID`: only those external IDs. */
  adopt?: boolean | string;
  since?: string;
  /** `--no-shared-budget` gives false: keep to an in-process budget even with REDIS_URL set. */
  sharedBudget?: boolean;
}

export interface CommandIo {
  env: Record<string, string | undefined>;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** Runs `orgsync plan` or `orgsync apply` and returns the contract's exit code. */
export async function runSyncCommand(
  mode: 'plan' | 'apply',
  planFileArgument: string | undefined,
  flags: SyncFlags,
  io: CommandIo,
): Promise<number> {
  const { planFile, adopt } = readAdoptFlag(planFileArgument, flags);
  const { config, scope } = parseSettings(mode, planFile, flags, io.env, adopt);
  // Before the source is read or Scalekit called: a run must never do its work and then find that
  // it cannot write its report or plan.
  const outputs = await prepareOutputs(flags, planFile);
  // On a terminal the progress bar and the summary tell the story: only warnings are logged
  // unless ORGSYNC_LOG_LEVEL asks for more. Elsewhere (CI, cron) JSON lines at info.
  const logger = createLogger({ level: io.stderr.isTTY && !io.env.ORGSYNC_LOG_LEVEL ? 'warn' : config.logLevel });
  const progress = createProgressReporter({ stream: io.stderr, logger });
  const startedAt = new Date();
  let notified = false;
  // `orgsync apply` notifies ORGSYNC_NOTIFY_URL before it exits; the exit code stays the run's.
  const notify = async (report: RunReport | undefined, error?: unknown): Promise<void> => {
    if (mode !== 'apply' || notified) return;
    notified = true;
    await notifyCliRun(
      config,
      logger,
      report
        ? {
            runId: report.run_id,
            kind: CLI_APPLY_KIND,
            summary: report.summary,
            startedAt: report.started_at,
            finishedAt: report.finished_at,
          }
        : {
            runId: randomUUID(),
            kind: CLI_APPLY_KIND,
            summary: null,
            startedAt: startedAt.toISOString(),
            finishedAt: new Date().toISOString(),
            error: describeError(error, 'ERR_APPLY_FAILED'),
          },
    );
  };
  let finished: RunReport | undefined;
  try {
    const { report, plan } = await runSyncOnce({
      config,
      logger,
      mode,
      scope,
      planFile,
      // Flags override ORGSYNC_REGION / ORGSYNC_CSV_DELIMITER / ORGSYNC_CSV_ENCODING (merged by loadConfig).
      region: config.region,
      delimiter: config.csvDelimiter,
      encoding: config.csvEncoding,
      since: flags.since,
      allowDelete: flags.allowDelete === true,
      adopt,
      sharedBudget: joinsSharedBudget(flags, io.env),
      onProgress: (p) => progress.update(p),
    });
    finished = report;
    progress.done();
    io.stdout.write(renderSummaryTable(report));
    for (const id of notAdopted(adopt, report))
      io.stdout.write(
        `--adopt ${id}: not adoptable in this run (no unlinked organization with its account's name, or it has one already); nothing was linked for it\n`,
      );
    if (flags.reportDir) {
      const files = await writeReportFiles(flags.reportDir, report).catch((error: unknown) => {
        throw outputError('--report-dir', flags.reportDir ?? '', error, 'after');
      });
      io.stdout.write(`Reports: ${files.map(escapeText).join(', ')}\n`);
    }
    if (flags.out && plan) {
      await writeSavedPlan(flags.out, plan).catch((error: unknown) => {
        throw outputError('--out', flags.out ?? '', error, 'after');
      });
      const out = escapeText(flags.out);
      io.stdout.write(`Plan saved to ${out}; apply it with: orgsync apply ${out}\n`);
    }
    // With REDIS_URL set, an apply joins the run history (`orgsync runs --kind cli-apply`, `orgsync retry`).
    if (mode === 'apply' && io.env.REDIS_URL?.trim()) {
      const runId = await recordCliApply({ config, logger, report, plan });
      if (runId) io.stdout.write(`Recorded in the run history as run ${escapeText(runId)} (orgsync runs show ID).\n`);
    }
    const exitCode = exitCodeFor(report, { detailedExitCode: mode === 'plan' && flags.detailedExitcode === true });
    await notify(report);
    return exitCode;
  } catch (error) {
    await outputs.removeUnused();
    progress.done();
    await notify(finished, error);
    throw error;
  } finally {
    progress.done();
  }
}

/**
 * Checks `--report-dir` and `--out` (creating their directories); `removeUnused` removes the
 * directories it created when the run fails before writing into them.
 */
async function prepareOutputs(
  flags: SyncFlags,
  planFile: string | undefined,
): Promise<{ removeUnused(): Promise<void> }> {
  const prepared: [PreparedLocation, string][] = [];
  const removeUnused = async () => {
    for (const [location, dir] of prepared.reverse()) await removeIfUnused(location, dir);
  };
  try {
    if (flags.reportDir)
      prepared.push([await prepareOutputDirectory('--report-dir', flags.reportDir, REPORT_FILES), flags.reportDir]);
    if (flags.out && !planFile) prepared.push([await prepareOutputFile('--out', flags.out), dirname(flags.out)]);
  } catch (error) {
    await removeUnused();
    throw error;
  }
  return { removeUnused };
}

function parseSettings(
  mode: 'plan' | 'apply',
  planFile: string | undefined,
  flags: SyncFlags,
  env: CommandIo['env'],
  adopt: boolean | string[],
): { config: ScalekitConfig; scope: 'partial' | 'full' } {
  const problems: string[] = [];
  const scope = flags.scope ?? 'partial';
  if (scope !== 'partial' && scope !== 'full')
    problems.push(`--scope: expected partial or full (got ${JSON.stringify(scope)})`);
  if (planFile && flags.source)
    problems.push('give either a plan file or --source, not both (a saved plan already names its source)');
  if (mode === 'apply' && planFile && flags.out) problems.push('--out belongs to orgsync plan');
  // A saved plan carries its own scope and delete decision (checked when it is read).
  if (flags.allowDelete === true && !planFile && scope !== 'full')
    problems.push(
      '--allow-delete deletes only in a full run (the source is then the whole truth, and organizations without an account are orphans): add --scope full',
    );
  problems.push(...checkSinceFlag(flags.since, scope, flags.source ?? env.ORGSYNC_SOURCE));
  let config: ScalekitConfig | undefined;
  try {
    config = loadConfig({
      env,
      flags: {
        source: flags.source,
        concurrency: flags.concurrency,
        rateLimit: flags.rateLimit,
        region: flags.region,
        csvDelimiter: flags.delimiter,
        csvEncoding: flags.encoding,
        columnMap: flags.map,
      },
      require: planFile ? SCALEKIT_SETTINGS : [...SCALEKIT_SETTINGS, 'source'],
      command: `orgsync ${mode}`,
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(
      ...error.problems.map((p) =>
        p.startsWith('ORGSYNC_SOURCE is required')
          ? 'a source is required: pass --source csv:accounts.csv (or set ORGSYNC_SOURCE)'
          : p,
      ),
    );
  }
  if (config) {
    const region = checkRegionFlag(flags.region, config.regions);
    if (region) problems.push(region);
  }
  if (Array.isArray(adopt) && adopt.length === 0)
    problems.push(
      '--adopt: give external IDs separated by commas (--adopt us-east-CUST-1,us-east-CUST-2), or no value to adopt every adoptable organization',
    );
  if (problems.length > 0 || !config) throw new ConfigError(problems);
  return { config, scope: scope === 'full' ? 'full' : 'partial' };
}

/**
 * Whether the run joins the workers' Redis rate budget and locks: whenever REDIS_URL is set (not
 * merely defaulted: without it there are no workers to share with), unless `--no-shared-budget`.
 */
function joinsSharedBudget(flags: SyncFlags, env: CommandIo['env']): boolean {
  return flags.sharedBudget !== false && (env.REDIS_URL ?? '').trim() !== '';
}

/** The external IDs given to `--adopt` that no adoptable item of the run had. */
function notAdopted(adopt: boolean | readonly string[], report: RunReport): string[] {
  if (typeof adopt === 'boolean') return [];
  const linked = new Set<string>();
  for (const item of report.items)
    if (item.action !== 'create' && item.external_id && item.changes.some((c) => c.field === 'external_id'))
      linked.add(item.external_id);
  return adopt.filter((id) => !linked.has(id));
}

/**
 * `--adopt` takes an optional list, so commander reads `apply --adopt plan.json` as the list: a
 * value ending in `.json`, with no plan file and no --source, is taken for the plan file it is.
 */
function readAdoptFlag(
  planFile: string | undefined,
  flags: SyncFlags,
): { planFile: string | undefined; adopt: boolean | string[] } {
  const value = flags.adopt;
  if (typeof value !== 'string') return { planFile, adopt: value === true };
  if (planFile === undefined && flags.source === undefined && value.trim().toLowerCase().endsWith('.json'))
    return { planFile: value, adopt: true };
  const ids = value
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
  return { planFile, adopt: ids };
}
