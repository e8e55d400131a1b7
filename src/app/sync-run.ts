import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { connectScalekit, createSource, domainRules } from '../app.js';
import type { Config, ScalekitConfig } from '../config.js';
import type { DomainRules } from '../domain/types.js';
import { applySavedPlan, runSync, type ApplySettings, type Progress } from '../engine/run.js';
import { deletePolicyOf, planTargetDifferences, readSavedPlan, type SavedPlan } from '../engine/saved-plan.js';
import { OrgsyncError } from '../errors.js';
import type { RunReport } from '../engine/types.js';
import { openIncremental } from './incremental.js';
import { joinSharedBudget, type SharedBudget } from './shared-budget.js';

/** One `orgsync plan` or `orgsync apply`, with its settings already checked. */
export interface SyncRunOptions {
  config: ScalekitConfig;
  logger: Logger;
  mode: 'plan' | 'apply';
  scope: 'partial' | 'full';
  /** Apply this saved plan instead of reading the source. */
  planFile?: string | undefined;
  /** `--region`, `--delimiter`, `--encoding`, `--since`. */
  region?: string | undefined;
  delimiter?: string | undefined;
  encoding?: string | undefined;
  since?: string | undefined;
  allowDelete: boolean;
  adopt: boolean | readonly string[];
  /**
   * Join the workers' Redis rate budget and per-organization locks (REDIS_URL set and no
   * `--no-shared-budget`); otherwise an in-process token bucket at ORGSYNC_RATE_LIMIT, no locks.
   */
  sharedBudget: boolean;
  onProgress?: ((progress: Progress) => void) | undefined;
}

/**
 * Runs one plan or apply in-process: the source (`--source` or ORGSYNC_SOURCE, read incrementally
 * with `--since`) or a saved plan, the Scalekit client, and for `--since last` the watermark in
 * Redis, which an apply moves. With `sharedBudget` its Scalekit calls draw on the workers' Redis
 * rate budget and each write holds the workers' per-organization lock. Returns the report, and
 * the plan a dry run can save.
 */
export async function runSyncOnce(
  options: SyncRunOptions,
): Promise<{ report: RunReport; plan?: SavedPlan | undefined }> {
  const { config, logger } = options;
  const rules = domainRules(config, options.region);
  // Before anything is read or sent: a run that cannot share the budget does nothing at all.
  const shared = options.sharedBudget ? await joinSharedBudget(config, logger) : undefined;
  try {
    return await runWithBudget(options, rules, shared);
  } finally {
    await shared?.close();
  }
}

async function runWithBudget(
  options: SyncRunOptions,
  rules: DomainRules,
  shared: SharedBudget | undefined,
): Promise<{ report: RunReport; plan?: SavedPlan | undefined }> {
  const { config, logger, mode, scope } = options;
  const scalekit = connectScalekit(config, logger, { rateBudget: shared?.rateBudget });
  const deps = { api: scalekit.api, logger, rules };
  const settings: ApplySettings = {
    allowDelete: options.allowDelete,
    adopt: options.adopt,
    concurrency: config.concurrency,
    deleteMaxCount: config.deleteMaxCount,
    deleteMaxPercent: config.deleteMaxPercent,
    deleteBlockOnInvalid: config.deleteBlockOnInvalid,
    onProgress: options.onProgress,
    exclusive: shared ? (key, fn) => shared.exclusive(key, fn) : undefined,
  };
  try {
    if (options.planFile) {
      const saved = await readSavedPlan(options.planFile);
      const differences = planTargetDifferences(options.planFile, saved, {
        environmentUrl: config.scalekitEnvironmentUrl,
        regions: config.regions,
        metadataKeys: config.metadataKeys,
        allowDelete: options.allowDelete,
        deletePolicy: deletePolicyOf(config),
      });
      if (differences.length > 0)
        throw new OrgsyncError(
          'ERR_PLAN_TARGET',
          `refusing to apply the saved plan: ${differences.join('; ')}; re-plan for this run's settings (orgsync plan ... --out FILE), review it, then apply it.`,
        );
      return { report: await applySavedPlan(deps, saved, settings), plan: saved };
    }
    const flags = { delimiter: options.delimiter, encoding: options.encoding };
    const spec = config.source ?? '';
    const described = createSource(spec, config, rules, flags).description;
    const incremental = await openIncremental(
      options.since,
      config,
      watermarkId(described, config),
      config.sinceOverlapMs,
    );
    try {
      const source = createSource(spec, config, rules, { ...flags, since: incremental.since });
      if (incremental.since)
        logger.info(incremental.describe(), 'incremental run: reading accounts updated since the watermark');
      const result = await runSync(deps, {
        ...settings,
        mode,
        scope,
        source,
        environmentUrl: config.scalekitEnvironmentUrl,
      });
      const moved = await incremental.commit(result.report, result.maxUpdatedAt);
      if (moved !== null) logger.info({ watermark: moved }, 'watermark moved');
      return { report: result.report, plan: result.plan };
    } finally {
      await incremental.close();
    }
  } finally {
    await scalekit.close();
  }
}

/**
 * The watermark's name: the source's description plus a digest of what else picks its rows (the
 * query, the database without credentials), so two different queries never share a watermark.
 */
function watermarkId(description: string, config: Config): string {
  let database = '';
  if (config.databaseUrl && URL.canParse(config.databaseUrl)) {
    const url = new URL(config.databaseUrl);
    database = `${url.hostname}:${url.port}${url.pathname}`;
  }
  const digest = createHash('sha256')
    .update(JSON.stringify([config.source, config.pgQuery ?? '', database]))
    .digest('hex');
  return `${description}#${digest.slice(0, 16)}`;
}
