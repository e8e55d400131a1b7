import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { parseAccount } from '../domain/account.js';
import type { DomainRules } from '../domain/types.js';
import type { ScalekitApi } from '../scalekit/api.js';
import type { AccountSource } from '../sources/source.js';
import { applyPlan } from './apply.js';
import { createColumnCensus, type ColumnCensus } from './column-census.js';
import { isManagedExternalId } from '../domain/external-id.js';
import { createPlanner, type ParsedRecord } from './planner.js';
import { buildReport } from './report.js';
import { ReportItems } from './report-items.js';
import { SAVED_PLAN_VERSION, deletePolicyOf, type SavedPlan } from './saved-plan.js';
import { previewDeletes } from './delete-preview.js';
import { addOrganizations, createEmptySnapshot, lookupExternalIds, remainingPages, type Snapshot } from './snapshot.js';
import type { ReportItem, RunMode, RunReport, RunScope } from './types.js';

/** What the engine needs from the outside world. */
export interface EngineDeps {
  api: ScalekitApi;
  logger: Logger;
  rules: DomainRules;
}

/** Progress of a run, for a progress bar or log lines. */
export interface Progress {
  phase: 'snapshot' | 'plan' | 'apply';
  done: number;
  total?: number | undefined;
}

export interface ApplySettings {
  allowDelete: boolean;
  /** Link adoptable organizations: every one (`true`), or only those of these external IDs (`--adopt ID,...`). */
  adopt: boolean | readonly string[];
  concurrency: number;
  deleteMaxCount: number;
  deleteMaxPercent: number;
  /** ORGSYNC_DELETE_BLOCK_ON_INVALID: no delete while any row is invalid or in conflict. Default true. */
  deleteBlockOnInvalid?: boolean | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: Progress) => void) | undefined;
  runId?: string | undefined;
  /** Per-organization exclusion across processes (see `ApplyOptions.exclusive`). */
  exclusive?: (<T>(key: string, fn: () => Promise<T>) => Promise<T>) | undefined;
  /** Each write that went through, as the report shows it (see `ApplyOptions.onWritten`). */
  onWritten?: ((item: ReportItem) => Promise<void>) | undefined;
}

/**
 * Supplies what Scalekit holds for these external IDs (plus the organizations without one) instead
 * of reading it: a bulk import's chunks share one listing. Partial scope only.
 */
export type SnapshotProvider = (externalIds: readonly string[]) => Promise<Snapshot>;

export interface RunOptions extends ApplySettings {
  mode: RunMode;
  scope: RunScope;
  source: AccountSource;
  /** See `SnapshotProvider`; the source is then read whole before planning (meant for small sources). */
  snapshot?: SnapshotProvider | undefined;
  /** The Scalekit environment the run targets, recorded in the saved plan (`apply PLAN_FILE` checks it). */
  environmentUrl?: string | undefined;
}

export interface RunResult {
  report: RunReport;
  /** The plan as computed (what `plan --out` saves). */
  plan: SavedPlan;
  /**
   * The latest `updated_at` among the records read, as an `Instant` (full precision, see
   * `src/sources/instant.ts`); incremental runs move their watermark to it.
   */
  maxUpdatedAt: string | null;
}

const PAGE_SIZE = 100;

/** What the engine learns from the records as they stream past, besides the accounts. */
interface SourceSeen {
  /** The latest `updated_at` among the records read, at the source's full precision. */
  maxUpdatedAt: string | null;
  /** Which columns the records carried (unmanaged keys, unknown columns). */
  columns: ColumnCensus;
}

/**
 * One reconcile: read the source, look at Scalekit, diff, and (in apply mode) write. A dry run and
 * a real run share this path, so what `plan` predicts is what `apply` does.
 */
export async function runSync(deps: EngineDeps, options: RunOptions): Promise<RunResult> {
  const startedAt = new Date();
  const runId = options.runId ?? randomUUID();
  const callsBefore = deps.api.stats().apiCalls;
  const log = deps.logger.child({ run_id: runId, mode: options.mode, scope: options.scope });
  log.info({ source: options.source.description }, 'run started');

  const seen: SourceSeen = { maxUpdatedAt: null, columns: createColumnCensus(deps.rules.metadataKeys) };
  const { snapshot, records } = await takeSnapshot(deps, options, seen);
  log.info({ strategy: snapshot.strategy, organizations: snapshot.totalSize }, 'snapshot taken');

  const planner = createPlanner({
    scope: options.scope,
    regions: deps.rules.regions,
    metadataKeys: deps.rules.metadataKeys,
    snapshot,
  });
  let read = 0;
  for await (const record of records) {
    planner.add(record);
    read += 1;
    if (read % 1000 === 0) options.onProgress?.({ phase: 'plan', done: read });
  }
  const plan = planner.finish();
  const managedCount = countManaged(snapshot, deps.rules.regions);
  // Deletes happen only in a full run; a plan made with --allow-delete carries the decision and its thresholds.
  const allowDelete = options.allowDelete && options.scope === 'full';
  const saved: SavedPlan = {
    orgsync_plan: SAVED_PLAN_VERSION,
    run_id: runId,
    created_at: new Date().toISOString(),
    environment_url: options.environmentUrl ?? '',
    regions: [...deps.rules.regions],
    metadata_keys: [...deps.rules.metadataKeys],
    allow_delete: allowDelete,
    delete_policy: allowDelete ? deletePolicyOf(options) : null,
    source: options.source.description,
    scope: options.scope,
    accounts: plan.accounts,
    unchanged: plan.unchanged,
    managed_count: managedCount,
    unmanaged_keys: seen.columns.unmanagedKeys(),
    unknown_columns: seen.columns.unknownColumns(),
    items: plan.items,
  };
  log.info({ accounts: plan.accounts, items: plan.items.count, unmanaged_keys: saved.unmanaged_keys }, 'plan computed');

  if (options.mode === 'plan') {
    const deletes = allowDelete
      ? await previewDeletes(deps.api, plan.items, {
          concurrency: options.concurrency,
          regions: deps.rules.regions,
          deleteMaxCount: options.deleteMaxCount,
          deleteMaxPercent: options.deleteMaxPercent,
          deleteBlockOnInvalid: options.deleteBlockOnInvalid,
          managedCount,
          signal: options.signal,
        })
      : undefined;
    const report = buildReport({
      runId,
      mode: 'plan',
      scope: options.scope,
      source: options.source.description,
      startedAt,
      accounts: plan.accounts,
      unchanged: plan.unchanged,
      items: ReportItems.ofPlan(plan.items, deletes),
      apiCalls: deps.api.stats().apiCalls - callsBefore,
      unmanagedKeys: saved.unmanaged_keys,
      unknownColumns: saved.unknown_columns,
    });
    return { report, plan: saved, maxUpdatedAt: seen.maxUpdatedAt };
  }
  const report = await applyItems(deps, saved, { ...options, runId }, { savedPlan: false, startedAt, callsBefore });
  return { report, plan: saved, maxUpdatedAt: seen.maxUpdatedAt };
}

/**
 * `orgsync apply PLAN_FILE`: applies exactly the saved plan; anything changed since is `stale`. The
 * plan's own delete decision is used (`allow_delete`, with the thresholds it was planned with):
 * `options.allowDelete` and the delete thresholds are not read (the CLI refuses a mismatch first).
 */
export async function applySavedPlan(deps: EngineDeps, saved: SavedPlan, options: ApplySettings): Promise<RunReport> {
  const policy = saved.delete_policy;
  const settings: ApplySettings = {
    ...options,
    allowDelete: saved.allow_delete && policy !== null,
    deleteMaxCount: policy?.max_count ?? options.deleteMaxCount,
    deleteMaxPercent: policy?.max_percent ?? options.deleteMaxPercent,
    deleteBlockOnInvalid: policy?.block_on_invalid ?? options.deleteBlockOnInvalid,
  };
  return applyItems(deps, saved, settings, {
    savedPlan: true,
    startedAt: new Date(),
    callsBefore: deps.api.stats().apiCalls,
  });
}

async function applyItems(
  deps: EngineDeps,
  saved: SavedPlan,
  options: ApplySettings,
  run: { savedPlan: boolean; startedAt: Date; callsBefore: number },
): Promise<RunReport> {
  const runId = options.runId ?? randomUUID();
  const total = saved.items.count;
  let done = 0;
  const items = await applyPlan(deps.api, saved.items, {
    concurrency: options.concurrency,
    allowDelete: options.allowDelete && saved.scope === 'full',
    adopt: options.adopt,
    savedPlan: run.savedPlan,
    deleteMaxCount: options.deleteMaxCount,
    deleteMaxPercent: options.deleteMaxPercent,
    managedCount: saved.managed_count,
    regions: deps.rules.regions,
    deleteBlockOnInvalid: options.deleteBlockOnInvalid,
    signal: options.signal,
    exclusive: options.exclusive,
    onWritten: options.onWritten,
    onItemDone: () => {
      done += 1;
      options.onProgress?.({ phase: 'apply', done, total });
    },
  });
  const report = buildReport({
    runId,
    mode: 'apply',
    scope: saved.scope,
    source: saved.source,
    startedAt: run.startedAt,
    accounts: saved.accounts,
    // Items that turned out unchanged when applied (a create that met its organization, already up to date).
    unchanged: saved.unchanged + (total - items.count),
    items,
    apiCalls: deps.api.stats().apiCalls - run.callsBefore,
    unmanagedKeys: saved.unmanaged_keys,
    unknownColumns: saved.unknown_columns,
  });
  deps.logger.info({ run_id: runId, summary: report.summary }, 'run finished');
  return report;
}

/**
 * Reads Scalekit's side the cheaper way: the first page's `total_size` says how many pages a full
 * listing costs; a partial run whose accounts are fewer than that looks them up one by one instead.
 * Returns the records read so far followed by the rest of the source.
 */
async function takeSnapshot(
  deps: EngineDeps,
  options: RunOptions,
  seen: SourceSeen,
): Promise<{ snapshot: Snapshot; records: AsyncIterable<ParsedRecord> }> {
  // Open the source first: a missing file or column fails the run before any call to Scalekit.
  const source = parseRecords(options.source, deps.rules, seen, options.signal)[Symbol.asyncIterator]();
  const head = await source.next();
  const buffered: ParsedRecord[] = head.done ? [] : [head.value];
  let sourceDone = head.done === true;

  if (options.snapshot) {
    if (options.scope !== 'partial')
      throw new Error('a provided snapshot holds only the given accounts: it cannot serve a full run');
    for (let next = sourceDone ? null : await source.next(); next && !next.done; next = await source.next())
      buffered.push(next.value);
    const ids = buffered.flatMap((r) => (r.ok ? [r.account.externalId] : []));
    return { snapshot: await options.snapshot(ids), records: replay(buffered, source, true) };
  }

  const pages = deps.api.listOrganizations({ pageSize: PAGE_SIZE, signal: options.signal })[Symbol.asyncIterator]();
  const first = await pages.next();
  const firstPage = first.done ? { organizations: [], nextPageToken: '', totalSize: 0 } : first.value;
  const pagesLeft = firstPage.nextPageToken
    ? Math.max(1, remainingPages(firstPage.totalSize, firstPage.organizations.length, PAGE_SIZE))
    : 0;
  if (options.scope === 'partial' && pagesLeft > 0) {
    const firstIds = new Set(firstPage.organizations.map((o) => o.external_id).filter(Boolean));
    const toLookUp = new Set<string>();
    for (const record of buffered)
      if (record.ok && !firstIds.has(record.account.externalId)) toLookUp.add(record.account.externalId);
    // Read just enough of the source to know whether lookups would cost fewer calls than the listing.
    while (!sourceDone && toLookUp.size <= pagesLeft) {
      const next = await source.next();
      if (next.done) {
        sourceDone = true;
        break;
      }
      buffered.push(next.value);
      if (next.value.ok && !firstIds.has(next.value.account.externalId)) toLookUp.add(next.value.account.externalId);
    }
    if (sourceDone && toLookUp.size <= pagesLeft) {
      await pages.return?.();
      const snapshot = createEmptySnapshot('lookup', firstPage.totalSize);
      addOrganizations(snapshot, firstPage.organizations);
      await lookupExternalIds(deps.api, snapshot, [...toLookUp], {
        concurrency: options.concurrency,
        signal: options.signal,
      });
      return { snapshot, records: replay(buffered, source, true) };
    }
  }
  const snapshot = createEmptySnapshot('list', firstPage.totalSize);
  addOrganizations(snapshot, firstPage.organizations);
  let pagesRead = 1;
  for (let page = await pages.next(); !page.done; page = await pages.next()) {
    addOrganizations(snapshot, page.value.organizations);
    pagesRead += 1;
    options.onProgress?.({ phase: 'snapshot', done: pagesRead, total: pagesLeft + 1 });
  }
  return { snapshot, records: replay(buffered, source, sourceDone) };
}

async function* replay(
  buffered: ParsedRecord[],
  rest: AsyncIterator<ParsedRecord>,
  restDone: boolean,
): AsyncGenerator<ParsedRecord> {
  yield* buffered.splice(0);
  if (restDone) return;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

async function* parseRecords(
  source: AccountSource,
  rules: DomainRules,
  seen: SourceSeen,
  signal?: AbortSignal,
): AsyncGenerator<ParsedRecord> {
  for await (const record of source.records({ signal })) {
    seen.columns.note(record.values);
    if (record.updatedAt && (!seen.maxUpdatedAt || record.updatedAt > seen.maxUpdatedAt))
      seen.maxUpdatedAt = record.updatedAt;
    const parsed = parseAccount(record, rules);
    yield parsed.ok ? { ok: true, account: parsed.account } : { ok: false, problem: parsed.problem };
  }
}

function countManaged(snapshot: Snapshot, regions: readonly string[]): number {
  let count = 0;
  for (const id of snapshot.byExternalId.keys()) if (isManagedExternalId(id, regions)) count += 1;
  return count;
}
