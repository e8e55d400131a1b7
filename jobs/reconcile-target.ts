import type { SourceRecord } from '../src/domain/account-record.js';
import { externalIdOf, normalizeRegion, splitExternalId } from '../src/domain/external-id.js';
import { NotFoundError } from '../src/scalekit/errors.js';
import type { AccountSource } from '../src/sources/source.js';
import type { ReconcileHelpers } from './job-helpers.js';
import type { ReconcilePayload } from './reconcile.js';

/**
 * One account's record in the host source, or `null` when the source no longer has it. Sources
 * with `findAccount` (PostgreSQL, HTTP) look it up; others (CSV) are scanned to the first match.
 */
export async function findAccountRecord(
  source: AccountSource,
  accountId: string,
  region: string,
  signal?: AbortSignal,
): Promise<SourceRecord | null> {
  if (source.findAccount) return source.findAccount(accountId, region, { signal });
  for await (const record of source.records({ signal })) {
    if (record.values.account_id?.trim() !== accountId) continue;
    const recordRegion = record.values.region;
    if (recordRegion === undefined || recordRegion === null || normalizeRegion(recordRegion) === region) return record;
  }
  return null;
}

/** The account a payload is about; `null` when there is nothing to reconcile (no such or no managed organization). */
export async function targetOf(
  payload: ReconcilePayload,
  helpers: ReconcileHelpers,
): Promise<{ externalId: string; accountId: string; region: string } | null> {
  if (payload.account) {
    const { account_id: accountId, region } = payload.account;
    return { externalId: externalIdOf(region, accountId), accountId, region };
  }
  const externalId = payload.external_id ?? (await externalIdOfOrganization(helpers, payload.org_id ?? ''));
  if (externalId === null) return null;
  const split = splitExternalId(externalId, helpers.engine.rules.regions);
  if (!split) {
    helpers.logger.info(
      { external_id: externalId },
      'not a managed external ID (no configured region prefix); nothing to reconcile',
    );
    return null;
  }
  return { externalId, ...split };
}

export function describeTarget(payload: ReconcilePayload): string {
  return payload.external_id ? `external ID ${payload.external_id}` : `organization ${payload.org_id ?? ''}`;
}

async function externalIdOfOrganization(helpers: ReconcileHelpers, orgId: string): Promise<string | null> {
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

/** A record's `updated_at` as epoch ms (a `Date`, or text as PostgreSQL returns it); `NaN` when it has none. */
function updatedAtMs(record: SourceRecord): number {
  const value: unknown = record.updatedAt;
  if (value instanceof Date) return value.getTime();
  return typeof value === 'string' ? Date.parse(value) : Number.NaN;
}

/**
 * The host source's record of an account when its `updated_at` is later than `sinceMs` (the newest
 * state the host system pushed): then the source is newer and wins. Only sources that look one
 * account up (PostgreSQL, HTTP) are asked; a record without `updated_at` is of unknown age and
 * never wins. When the source cannot be read, the pushed state stands (the reason is logged).
 */
export async function newerHostRecord(
  helpers: ReconcileHelpers,
  target: { accountId: string; region: string },
  sinceMs: number,
): Promise<{ description: string; record: SourceRecord } | null> {
  const source = helpers.hostSource();
  if (!source?.findAccount) return null;
  try {
    const record = await source.findAccount(target.accountId, target.region, { signal: helpers.signal });
    return record && updatedAtMs(record) > sinceMs ? { description: source.description, record } : null;
  } catch (error) {
    if (helpers.signal.aborted) throw error;
    helpers.logger.warn(
      { err: error, account_id: target.accountId },
      'could not read the host source to compare its updated_at with the pushed account; the pushed state is applied',
    );
    return null;
  }
}
