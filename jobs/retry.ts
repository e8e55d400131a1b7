import { z } from 'zod';
import type { SourceRecord } from '../src/domain/account-record.js';
import { splitExternalId } from '../src/domain/external-id.js';
import { buildReport } from '../src/engine/report.js';
import { retryRecordsOf, retryTargets, type RetryRecord } from '../src/engine/retry-records.js';
import { runSync } from '../src/engine/run.js';
import type { ReportItem, RunReport } from '../src/engine/types.js';
import type { RunOutcome } from '../src/job-contract.js';
import { PermanentJobError } from '../src/job-errors.js';
import { createInMemorySource } from './in-memory-source.js';
import type { JobDefinition, RetryHelpers } from './job-helpers.js';
import { findAccountRecord } from './reconcile-target.js';
import { emptyPartialReport, keyedAsColumns } from './single-account-report.js';
import { triggerSchema } from './triggers.js';

/** `retry`: the stored run whose failed and stale items to reconcile again. */
export const retryPayloadSchema = z.strictObject({
  run_id: z.string().trim().min(1).max(200),
  trigger: triggerSchema.default('cli'),
});

/** Error code of a retried item whose account record no one could supply. */
const NO_RECORD_CODE = 'ERR_RETRY_NO_RECORD';

/**
 * `orgsync retry RUN_ID`: reconciles, in one run, the items of a stored run whose action was
 * `failed` or `stale` (nothing else), through the same engine as `orgsync apply` (partial scope:
 * never deletes, never adopts), under the per-organization lock and the shared rate budget. Each
 * item's account record is, in this order: a newer state the host system pushed since the run
 * (the latest-account store), the record kept with the run, the latest-account store, the host
 * source (`findAccount`, or a scan). An item none of them has is reported `failed` with
 * `ERR_RETRY_NO_RECORD`. The run is recorded as kind `retry`, with `retry_of` naming the original.
 */
export const retryJob: JobDefinition<typeof retryPayloadSchema, RetryHelpers, RunOutcome> = {
  schema: retryPayloadSchema,
  async process(payload, helpers) {
    const runId = payload.run_id;
    const stored = await helpers.runs.get(runId);
    if (!stored)
      throw new PermanentJobError(
        `run ${runId} is not in the run history (it keeps the last ORGSYNC_RUN_HISTORY runs of each kind): nothing to retry`,
      );
    const kept = new Map((await helpers.runs.retryRecords(runId))?.map((r) => [r.external_id, r]) ?? []);
    const finishedAtMs = Date.parse(stored.summary.finished_at);
    const records: SourceRecord[] = [];
    const missing: ReportItem[] = [];
    for (const target of retryTargets(stored.report?.items ?? [])) {
      const found = await recordOf(helpers, target.externalId, kept.get(target.externalId), finishedAtMs);
      if (typeof found === 'string') missing.push(missingItem(target.externalId, target.accountId, found));
      else records.push(found);
    }
    helpers.logger.info(
      { retry_of: runId, records: records.length, without_record: missing.length },
      'retrying the failed and stale items of a run',
    );
    const description = `retry of run ${runId}`;
    if (records.length === 0)
      return { report: withItems(emptyPartialReport(helpers.runId, description), missing), retryOf: runId };
    const { report, plan } = await runSync(helpers.engine, {
      ...helpers.applySettings,
      mode: 'apply',
      scope: 'partial',
      source: createInMemorySource(description, records),
      signal: helpers.signal,
      runId: helpers.runId,
    });
    return {
      report: withItems(report, missing),
      retryOf: runId,
      retryRecords: retryRecordsOf(report, plan.items, helpers.engine.rules.regions),
    };
  },
};

/** The account record to retry an item with, or why there is none. */
async function recordOf(
  helpers: RetryHelpers,
  externalId: string,
  kept: RetryRecord | undefined,
  runFinishedAtMs: number,
): Promise<SourceRecord | string> {
  const split = splitExternalId(externalId, helpers.engine.rules.regions);
  if (!split) return `${externalId} has no configured region prefix (ORGSYNC_REGIONS)`;
  const pushed = (await helpers.knownState(externalId)).pushed;
  const pushedRecord =
    pushed?.kind === 'account'
      ? {
          line: kept?.line ?? 1,
          values: keyedAsColumns({ ...pushed.account, account_id: split.accountId, region: split.region }),
        }
      : null;
  // The host system said something about the account after the run: that is what to apply now.
  if (pushed && pushed.atMs > runFinishedAtMs) {
    if (pushed.kind === 'deleted') return 'the host system deleted this account after the run; nothing to retry';
    if (pushedRecord) return pushedRecord;
  }
  if (kept) return { line: kept.line ?? 1, values: kept.values };
  if (pushedRecord) return pushedRecord;
  const source = helpers.hostSource();
  if (!source)
    return 'its account record was not kept with the run, the latest-account store has none, and ORGSYNC_SOURCE is not set on this worker';
  const record = await findAccountRecord(source, split.accountId, split.region, helpers.signal);
  return (
    record ??
    `its account record was not kept with the run, and the host source (${source.description}) no longer has it`
  );
}

function missingItem(externalId: string, accountId: string | null, reason: string): ReportItem {
  return {
    external_id: externalId,
    account_id: accountId,
    line: null,
    action: 'failed',
    org_id: null,
    changes: [],
    error: { code: NO_RECORD_CODE, message: `not retried: ${reason}` },
  };
}

/** `report` with `extra` items appended (counted in its summary). */
function withItems(report: RunReport, extra: readonly ReportItem[]): RunReport {
  if (extra.length === 0) return report;
  return buildReport({
    runId: report.run_id,
    mode: report.mode,
    scope: report.scope,
    source: report.source,
    startedAt: new Date(report.started_at),
    finishedAt: new Date(report.finished_at),
    accounts: report.summary.accounts + extra.length,
    unchanged: report.summary.unchanged,
    items: [...report.items, ...extra],
    apiCalls: report.summary.api_calls,
    unmanagedKeys: report.unmanaged_keys,
    unknownColumns: report.unknown_columns,
  });
}
