import { z } from 'zod';
import { buildReport } from '../src/engine/report.js';
import { runSync } from '../src/engine/run.js';
import type { ReportItem } from '../src/engine/types.js';
import { NotFoundError } from '../src/scalekit/errors.js';
import type { SourceRecord } from '../src/sources/source.js';
import { createInMemorySource } from './in-memory-source.js';
import { PermanentJobError } from './job-errors.js';
import type { JobDefinition, JobHelpers, RunOutcome } from './job-helpers.js';
import { findAccountRecord, splitExternalId } from './reconcile-target.js';
import { triggerSchema } from './triggers.js';

const MAX_ACCOUNT_FIELDS = 32;

/** An account as a webhook sends it: whole (with `display_name`, like a CSV row) or only its identity. */
const accountSchema = z
  .object({ account_id: z.string().trim().min(1).max(255), region: z.string().trim().toLowerCase().min(1).max(64) })
  .catchall(z.string().max(1_000).nullable())
  .refine((a) => Object.keys(a).length <= MAX_ACCOUNT_FIELDS, `an account has at most ${MAX_ACCOUNT_FIELDS} fields`);

/**
 * `reconcile`: exactly one of
 * - `account`: one account, whole or only `account_id` + `region` (the rest is read from the host
 *   source); `deleted: true` says the host system deleted it;
 * - `org_id` or `external_id`: one organization, brought back to what the host source says.
 */
export const reconcilePayloadSchema = z
  .strictObject({
    account: accountSchema.optional(),
    deleted: z.boolean().optional(),
    org_id: z.string().trim().min(1).max(255).optional(),
    external_id: z.string().trim().min(1).max(255).optional(),
    /** When the account changed (the webhook's `occurred_at`); set at enqueue when absent. */
    occurred_at: z.iso.datetime({ offset: true }).optional(),
    trigger: triggerSchema.default('api'),
  })
  .superRefine((p, ctx) => {
    const given = [p.account, p.org_id, p.external_id].filter((v) => v !== undefined).length;
    if (given !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one of account, org_id and external_id' });
    if (p.deleted !== undefined && p.account === undefined)
      ctx.addIssue({ code: 'custom', path: ['deleted'], message: 'deleted applies to an account only' });
  });
export type ReconcilePayload = z.output<typeof reconcilePayloadSchema>;

/** Reconciles of one target are deduplicated while one waits: the key is its external ID (or organization ID). */
export function reconcileDeduplicationId(payload: ReconcilePayload): string {
  if (payload.account) return `${payload.account.region}-${payload.account.account_id}`;
  if (payload.external_id) return payload.external_id;
  return `org:${payload.org_id ?? ''}`;
}

/**
 * One account or organization, through the same engine as `orgsync apply` (partial scope). When the
 * host source no longer has the account, its organization is reported as an orphan: a reconcile
 * never deletes.
 */
export const reconcileJob: JobDefinition<typeof reconcilePayloadSchema, RunOutcome> = {
  schema: reconcilePayloadSchema,
  async process(payload, helpers) {
    const { regions } = helpers.engine.rules;
    let target: { region: string; accountId: string } | null;
    if (payload.account) {
      const { account_id: accountId, region } = payload.account;
      if (payload.deleted)
        return orphanOrNothing(helpers, `${region}-${accountId}`, accountId, 'webhook: account deleted');
      if (payload.account.display_name !== undefined) {
        // A reconcile waiting in the queue keeps its first payload; a newer delivery of the same
        // account may have come since: apply whichever is newer.
        const latest = await helpers.latestAccount(`${region}-${accountId}`);
        const payloadAtMs = payload.occurred_at ? Date.parse(payload.occurred_at) : 0;
        const account =
          latest && latest.atMs >= payloadAtMs ? { ...latest.account, account_id: accountId, region } : payload.account;
        return syncRecord(helpers, 'webhook', { line: 1, values: normalise(account) });
      }
      target = { region, accountId };
    } else {
      const externalId = payload.external_id ?? (await externalIdOfOrganization(helpers, payload.org_id ?? ''));
      if (externalId === null) return { report: emptyReport(helpers, `organization ${payload.org_id}`) };
      target = splitExternalId(externalId, regions);
      if (!target) {
        helpers.logger.info(
          { external_id: externalId },
          'not a managed external ID (no configured region prefix); nothing to reconcile',
        );
        return { report: emptyReport(helpers, `external ID ${externalId}`) };
      }
    }
    const source = helpers.hostSource();
    if (!source) {
      throw new PermanentJobError(
        `reconciling account ${target.accountId} (${target.region}) needs its record from the host source, and ORGSYNC_SOURCE is not set on this worker`,
      );
    }
    const record = await findAccountRecord(source, target.accountId, target.region, helpers.signal);
    if (!record)
      return orphanOrNothing(helpers, `${target.region}-${target.accountId}`, target.accountId, source.description);
    return syncRecord(helpers, source.description, record);
  },
};

async function syncRecord(helpers: JobHelpers, description: string, record: SourceRecord): Promise<RunOutcome> {
  const { report } = await runSync(helpers.engine, {
    ...helpers.applySettings,
    mode: 'apply',
    scope: 'partial',
    source: createInMemorySource(description, [record]),
    signal: helpers.signal,
    runId: helpers.runId,
  });
  return { report };
}

/** The account is gone: its organization, if any, is an orphan (reported, never deleted). */
async function orphanOrNothing(
  helpers: JobHelpers,
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

async function externalIdOfOrganization(helpers: JobHelpers, orgId: string): Promise<string | null> {
  try {
    const org = await helpers.engine.api.getOrganization(orgId, { signal: helpers.signal });
    if (!org.external_id)
      helpers.logger.info({ org_id: orgId }, 'the organization has no external ID; nothing to reconcile');
    return org.external_id || null;
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    helpers.logger.info({ org_id: orgId }, 'the organization no longer exists; nothing to reconcile');
    return null;
  }
}

function emptyReport(helpers: JobHelpers, description: string) {
  return buildReport({
    runId: helpers.runId,
    mode: 'apply',
    scope: 'partial',
    source: description,
    startedAt: new Date(),
    accounts: 0,
    unchanged: 0,
    items: [],
    apiCalls: 0,
  });
}

/** Column names as sources give them: trimmed and lower-cased. */
function normalise(account: Record<string, string | null>): Record<string, string | null> {
  return Object.fromEntries(Object.entries(account).map(([k, v]) => [k.trim().toLowerCase(), v]));
}
