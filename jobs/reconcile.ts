import { z } from 'zod';
import { buildReport } from '../src/engine/report.js';
import { retryRecordsOf } from '../src/engine/retry-records.js';
import { runSync } from '../src/engine/run.js';
import type { ReportItem } from '../src/engine/types.js';
import type { SourceRecord } from '../src/domain/account-record.js';
import { externalIdOf, normalizeRegion } from '../src/domain/external-id.js';
import { createInMemorySource } from './in-memory-source.js';
import { PermanentJobError } from '../src/job-errors.js';
import type { RunOutcome, SkippedOutcome } from '../src/job-contract.js';
import type { JobDefinition, ReconcileHelpers } from './job-helpers.js';
import { observedMatches } from './reconcile-echo.js';
import { clampOccurredAtMs, newer, type ObservedOrganization, type PushedState } from '../src/store/known-state.js';
import { describeTarget, findAccountRecord, newerHostRecord, targetOf } from './reconcile-target.js';
import { emptyPartialReport, keyedAsColumns } from './single-account-report.js';
import { triggerSchema } from './triggers.js';

const MAX_ACCOUNT_FIELDS = 32;

/** An account as a webhook sends it: whole (with `display_name`, like a CSV row) or only its identity. */
const accountSchema = z
  .object({
    account_id: z.string().trim().min(1).max(255),
    region: z.string().trim().min(1).max(64).transform(normalizeRegion),
  })
  .catchall(z.string().max(1_000).nullable())
  .refine((a) => Object.keys(a).length <= MAX_ACCOUNT_FIELDS, `an account has at most ${MAX_ACCOUNT_FIELDS} fields`);

/** The organization as the Scalekit event that asked for this reconcile showed it (for the echo check). */
export const observedOrganizationSchema = z.strictObject({
  id: z.string().trim().min(1).max(255),
  display_name: z.string().max(1_000),
  metadata: z
    .record(z.string().max(255), z.string().max(1_000))
    .refine((m) => Object.keys(m).length <= MAX_ACCOUNT_FIELDS, `at most ${MAX_ACCOUNT_FIELDS} metadata keys`),
  occurred_at: z.iso.datetime({ offset: true }),
});

/**
 * `reconcile`: exactly one of
 * - `account`: one account, whole or only `account_id` + `region` (the rest is read from the host
 *   source); `deleted: true` says the host system deleted it;
 * - `org_id` or `external_id`: one organization, brought back to what the host system says;
 *   `observed` (with `external_id` only) is the organization as a Scalekit event showed it.
 */
export const reconcilePayloadSchema = z
  .strictObject({
    account: accountSchema.optional(),
    deleted: z.boolean().optional(),
    org_id: z.string().trim().min(1).max(255).optional(),
    external_id: z.string().trim().min(1).max(255).optional(),
    /** When the account changed (the webhook's `occurred_at`, clamped); set at enqueue when absent. */
    occurred_at: z.iso.datetime({ offset: true }).optional(),
    observed: observedOrganizationSchema.optional(),
    trigger: triggerSchema.default('api'),
  })
  .superRefine((p, ctx) => {
    const given = [p.account, p.org_id, p.external_id].filter((v) => v !== undefined).length;
    if (given !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one of account, org_id and external_id' });
    if (p.deleted !== undefined && p.account === undefined)
      ctx.addIssue({ code: 'custom', path: ['deleted'], message: 'deleted applies to an account only' });
    if (p.observed !== undefined && p.external_id === undefined)
      ctx.addIssue({ code: 'custom', path: ['observed'], message: 'observed applies to an external_id only' });
  });
export type ReconcilePayload = z.output<typeof reconcilePayloadSchema>;

/** Reconciles of one target are deduplicated while one waits: the key is its external ID (or organization ID). */
export function reconcileDeduplicationId(payload: ReconcilePayload): string {
  if (payload.account) return externalIdOf(payload.account.region, payload.account.account_id);
  if (payload.external_id) return payload.external_id;
  return `org:${payload.org_id ?? ''}`;
}

/** The state of the account a payload itself carries (the store may hold a newer one). */
export function pushedStateOf(payload: ReconcilePayload, nowMs?: number): PushedState | null {
  if (!payload.account) return null;
  const atMs = payload.occurred_at ? clampOccurredAtMs(payload.occurred_at, nowMs) : 0;
  if (payload.deleted) return { kind: 'deleted', atMs };
  if (payload.account.display_name !== undefined) return { kind: 'account', account: payload.account, atMs };
  return { kind: 'source', atMs };
}

/** The organization a payload's Scalekit event showed. */
export function observedOf(payload: ReconcilePayload, nowMs?: number): ObservedOrganization | null {
  if (!payload.observed || !payload.external_id) return null;
  const { occurred_at: occurredAt, ...organization } = payload.observed;
  return { ...organization, external_id: payload.external_id, atMs: clampOccurredAtMs(occurredAt, nowMs) };
}

type ReconcileJob = JobDefinition<typeof reconcilePayloadSchema, ReconcileHelpers, RunOutcome | SkippedOutcome>;

/**
 * One account or organization, through the same engine as `orgsync apply` (partial scope). Whatever
 * path queued it, the job applies the newest known state of the account: the newest state the host
 * system pushed (kept by the queue, by `occurred_at`) unless none was pushed or the newest push only
 * named the account, in which case the host source is read. A deleted account's organization is
 * reported as an orphan: a reconcile never deletes. A Scalekit event whose organization already
 * holds that state (the echo of orgsync's own write) is skipped: no write, no run. A reconcile
 * that changed nothing and failed nothing (no report item) is not a run either: it is counted
 * (`noop`), so that webhook traffic never fills the run history with empty runs.
 */
export const reconcileJob: ReconcileJob = {
  schema: reconcilePayloadSchema,
  async process(payload, helpers) {
    const outcome = await reconcile(payload, helpers);
    if ('skipped' in outcome || outcome.report.items.count > 0) return outcome;
    const target = payload.account
      ? `account ${payload.account.account_id} (${payload.account.region})`
      : describeTarget(payload);
    return { skipped: 'noop', reason: `${target}: nothing to change, nothing failed` };
  },
};

async function reconcile(payload: ReconcilePayload, helpers: ReconcileHelpers): Promise<RunOutcome | SkippedOutcome> {
  const target = await targetOf(payload, helpers);
  if (target === null) return { report: emptyPartialReport(helpers.runId, describeTarget(payload)) };
  const { externalId, accountId, region } = target;
  const known = await helpers.knownState(externalId);
  // A reconcile waiting in the queue keeps its first payload; newer deliveries may have come since.
  const pushed = newer(known.pushed, pushedStateOf(payload));
  const host = pushed && pushed.kind !== 'source' ? await newerHostRecord(helpers, target, pushed.atMs) : null;
  if (!host && pushed?.kind === 'deleted')
    return orphanOrNothing(helpers, externalId, accountId, 'webhook: account deleted');
  let description = host?.description ?? 'webhook';
  let record: SourceRecord | null = host?.record ?? null;
  if (!record && pushed?.kind === 'account') {
    record = { line: 1, values: keyedAsColumns({ ...pushed.account, account_id: accountId, region }) };
  } else if (!record) {
    const source = helpers.hostSource();
    if (!source) {
      throw new PermanentJobError(
        `reconciling account ${accountId} (${region}) needs its record from the host source, and ORGSYNC_SOURCE is not set on this worker`,
      );
    }
    description = source.description;
    record = await findAccountRecord(source, accountId, region, helpers.signal);
    if (!record) return orphanOrNothing(helpers, externalId, accountId, description);
  }
  const observed = payload.observed ? newer(known.observed, observedOf(payload)) : null;
  if (observed && (await observedMatches(helpers, externalId, record, observed))) {
    return { skipped: 'echo', reason: `the organization of ${externalId} already holds what the host system says` };
  }
  return syncRecord(helpers, description, record);
}

async function syncRecord(helpers: ReconcileHelpers, description: string, record: SourceRecord): Promise<RunOutcome> {
  const { report, plan } = await runSync(helpers.engine, {
    ...helpers.applySettings,
    mode: 'apply',
    scope: 'partial',
    source: createInMemorySource(description, [record]),
    signal: helpers.signal,
    runId: helpers.runId,
  });
  return { report, retryRecords: retryRecordsOf(report, plan.items, helpers.engine.rules.regions) };
}

/** The account is gone: its organization, if any, is an orphan (reported, never deleted). */
async function orphanOrNothing(
  helpers: ReconcileHelpers,
  externalId: string,
  accountId: string,
  description: string,
): Promise<RunOutcome> {
  const startedAt = new Date();
  const callsBefore = helpers.engine.api.stats().apiCalls;
  const org = await helpers.engine.api.getOrganizationByExternalId(externalId, { signal: helpers.signal });
  const items: ReportItem[] = org
    ? [
        {
          external_id: externalId,
          account_id: accountId,
          line: null,
          action: 'orphan',
          org_id: org.id,
          changes: [],
          error: null,
        },
      ]
    : [];
  const report = buildReport({
    runId: helpers.runId,
    mode: 'apply',
    scope: 'partial',
    source: description,
    startedAt,
    accounts: 0,
    unchanged: 0,
    items,
    apiCalls: helpers.engine.api.stats().apiCalls - callsBefore,
  });
  return { report };
}
