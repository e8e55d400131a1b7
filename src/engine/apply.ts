import { OrgsyncError, coerceError } from '../errors.js';
import type { ScalekitApi, UpdateOrganizationInput } from '../scalekit/api.js';
import { mergedMetadataProblem, mergeOwnedMetadata } from './metadata-check.js';
import { CreateReportView, PackedCreate } from './packed-create.js';
import { diffOrganization, type PlanItem } from './plan-item.js';
import { toOrgState, type OrgState } from './snapshot.js';
import type { FieldChange, ReportItem } from './types.js';

export interface ApplyOptions {
  /** Writes in flight at once (the rate budget paces them further). */
  concurrency: number;
  /** Delete orphans (full scope only), subject to the thresholds and the SCIM check. */
  allowDelete: boolean;
  /** Link adoptable organizations instead of withholding them. */
  adopt: boolean;
  /** The plan comes from a file: every organization is re-read and compared with what was planned. */
  savedPlan: boolean;
  /** Deletes are withheld when more than this many AND more than `deleteMaxPercent` of `managedCount` would go. */
  deleteMaxCount: number;
  deleteMaxPercent: number;
  /** Organizations with a managed external ID, for the percentage threshold. */
  managedCount: number;
  signal?: AbortSignal | undefined;
  /** Called as each item finishes (for progress). */
  onItemDone?: (() => void) | undefined;
  /**
   * Runs `fn` while no other process works on the same organization (key: the external ID, or
   * the organization ID when there is none). The queue layer provides a Redis lock; default: none.
   */
  exclusive?: (<T>(key: string, fn: () => Promise<T>) => Promise<T>) | undefined;
}

/** An item's outcome; `null` means it turned out to be unchanged. */
export type ApplyOutcome = ReportItem | null;

const CODE_CONFLICT = 'ERR_SCALEKIT_CONFLICT';
const CODE_NOT_FOUND = 'ERR_SCALEKIT_NOT_FOUND';

/**
 * Applies plan items, `concurrency` at a time; a failing item never stops the others. A fixed pool
 * of runners takes the items in order, so a million items never become a million pending promises.
 */
export async function applyPlan(
  api: ScalekitApi,
  items: readonly PlanItem[],
  options: ApplyOptions,
): Promise<ApplyOutcome[]> {
  let orphans = 0;
  for (const item of items) if (item.action === 'orphan') orphans += 1;
  const withholdDeletes =
    orphans > options.deleteMaxCount && orphans > (options.managedCount * options.deleteMaxPercent) / 100;
  const outcomes = new Array<ApplyOutcome>(items.length);
  let next = 0;
  const runner = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) {
      const item = items[i];
      if (item) outcomes[i] = await applyOne(api, item, options, withholdDeletes);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, items.length)) }, runner));
  return outcomes;
}

async function applyOne(
  api: ScalekitApi,
  item: PlanItem,
  options: ApplyOptions,
  withholdDeletes: boolean,
): Promise<ApplyOutcome> {
  try {
    if (options.signal?.aborted)
      return outcome(item, 'failed', item.changes, {
        code: 'ABORTED',
        message: 'the run was stopped before this item was applied; run again',
      });
    const key = item.externalId ?? item.orgId;
    const run = () => applyItem(api, item, options, withholdDeletes);
    return await (options.exclusive && key && item.action !== 'invalid' && item.action !== 'conflict'
      ? options.exclusive(key, run)
      : run());
  } catch (error) {
    return outcome(item, 'failed', item.changes, describeError(error));
  } finally {
    options.onItemDone?.();
  }
}

async function applyItem(
  api: ScalekitApi,
  item: PlanItem,
  options: ApplyOptions,
  withholdDeletes: boolean,
): Promise<ApplyOutcome> {
  const call = { signal: options.signal };
  switch (item.action) {
    case 'invalid':
    case 'conflict':
      return outcome(item, item.action, item.changes, item.error ?? null);
    case 'create':
      return createItem(api, item, options);
    case 'update':
      return updateItem(api, item, options);
    case 'adoptable': {
      if (!options.adopt) return outcome(item, 'adoptable', item.changes, null);
      const fresh = await readOrganization(api, item, call);
      if (!fresh) return stale(item, 'the organization was deleted since it was planned');
      if (fresh.external_id)
        return stale(item, `the organization was linked to external ID ${fresh.external_id} since it was planned`);
      return writeUpdate(api, item, fresh, options, true);
    }
    case 'orphan':
      return orphanItem(api, item, options, withholdDeletes);
  }
}

async function createItem(api: ScalekitApi, item: PlanItem, options: ApplyOptions): Promise<ApplyOutcome> {
  const desired = requireDesired(item);
  try {
    const org = await api.createOrganization(
      {
        display_name: desired.displayName,
        external_id: item.externalId ?? undefined,
        metadata: mergeOwnedMetadata({}, desired.metadata),
      },
      { signal: options.signal },
    );
    if (item instanceof PackedCreate) return new CreateReportView(item, org.id);
    return { ...outcome(item, 'create', item.changes, null), org_id: org.id };
  } catch (error) {
    if (!(error instanceof OrgsyncError && error.code === CODE_CONFLICT) || !item.externalId) throw error;
    // The external ID exists after all (created since the snapshot): bring that organization up to date.
    if (options.savedPlan)
      return stale(item, `an organization with external ID ${item.externalId} was created since the plan was made`);
    const existing = await api.getOrganizationByExternalId(item.externalId, { signal: options.signal });
    if (!existing) throw error;
    const asUpdate: PlanItem = {
      action: 'update',
      externalId: item.externalId,
      accountId: item.accountId,
      line: item.line,
      orgId: existing.id,
      changes: item.changes,
      desired,
    };
    return writeUpdate(api, asUpdate, toOrgState(existing), options, false);
  }
}

async function updateItem(api: ScalekitApi, item: PlanItem, options: ApplyOptions): Promise<ApplyOutcome> {
  const touchesMetadata = item.changes.some((c) => c.field.startsWith('metadata.'));
  if (!options.savedPlan && !touchesMetadata) {
    // Only the display name: no merge, so no re-read is needed.
    return writeUpdate(api, item, null, options, false);
  }
  // Re-read just before a metadata merge so that keys someone else wrote a moment ago survive.
  const fresh = await readOrganization(api, item, { signal: options.signal });
  if (!fresh) return stale(item, 'the organization was deleted since it was planned');
  return writeUpdate(api, item, fresh, options, false);
}

/**
 * Sends one PATCH. With `fresh` (a re-read organization) the changes are recomputed against it
 * (live plan) or checked against it (saved plan: any planned `from` that no longer holds is stale).
 */
async function writeUpdate(
  api: ScalekitApi,
  item: PlanItem,
  fresh: OrgState | null,
  options: ApplyOptions,
  linking: boolean,
): Promise<ApplyOutcome> {
  let changes = item.changes;
  if (fresh && options.savedPlan) {
    const drifted = changes.filter((c) => currentValue(fresh, c.field) !== c.from);
    if (drifted.length > 0) {
      return stale(
        item,
        `changed in Scalekit since the plan was made: ${drifted.map((c) => c.field).join(', ')}. Make a new plan.`,
      );
    }
  } else if (fresh) {
    const desired = requireDesired(item);
    changes = diffOrganization(fresh, desired);
    if (linking) changes = [{ field: 'external_id', from: null, to: item.externalId }, ...changes];
    if (changes.length === 0) return null;
  }
  const body: UpdateOrganizationInput = {};
  const metadataChanges: Record<string, string | null> = {};
  for (const change of changes) {
    if (change.field === 'display_name' && change.to !== null) body.display_name = change.to;
    else if (change.field === 'external_id' && change.to !== null) body.external_id = change.to;
    else if (change.field.startsWith('metadata.')) metadataChanges[change.field.slice('metadata.'.length)] = change.to;
  }
  if (Object.keys(metadataChanges).length > 0) {
    const current = fresh?.metadata ?? {};
    const problem = mergedMetadataProblem(
      current,
      metadataChanges,
      Object.keys(item.desired?.metadata ?? metadataChanges),
    );
    if (problem) return outcome(item, 'failed', changes, problem);
    body.metadata = mergeOwnedMetadata(current, metadataChanges);
  }
  const orgId = requireOrgId(item);
  await api.updateOrganization(orgId, body, { signal: options.signal });
  return { ...outcome(item, 'update', changes, null), org_id: orgId };
}

async function orphanItem(
  api: ScalekitApi,
  item: PlanItem,
  options: ApplyOptions,
  withholdDeletes: boolean,
): Promise<ApplyOutcome> {
  if (!options.allowDelete) return outcome(item, 'orphan', [], null);
  if (withholdDeletes) {
    return outcome(item, 'orphan', [], {
      code: 'DELETE_WITHHELD',
      message: `deletes withheld: more than ${options.deleteMaxCount} organizations and more than ${options.deleteMaxPercent}% of the ${options.managedCount} managed ones would go. Check the source is complete, or raise ORGSYNC_DELETE_MAX_COUNT / ORGSYNC_DELETE_MAX_PERCENT.`,
    });
  }
  const orgId = requireOrgId(item);
  if (options.savedPlan) {
    const fresh = await readOrganization(api, item, { signal: options.signal });
    if (!fresh) return stale(item, 'the organization was deleted since it was planned');
    if (fresh.external_id !== item.externalId)
      return stale(item, "the organization's external ID changed since it was planned");
  }
  const directories = await api.listDirectories(orgId, { signal: options.signal });
  const scim = directories.find((d) => d.enabled && (d.directory_type ?? 'SCIM').toUpperCase() === 'SCIM');
  if (scim) {
    return outcome(item, 'orphan', [], {
      code: 'SCIM_DIRECTORY_ENABLED',
      message: `not deleted: organization ${orgId} has an enabled SCIM directory (${scim.id}); disable SCIM provisioning in the identity provider first, then run again.`,
    });
  }
  try {
    await api.deleteOrganization(orgId, { signal: options.signal });
  } catch (error) {
    if (!(error instanceof OrgsyncError && error.code === CODE_NOT_FOUND)) throw error;
  }
  return outcome(item, 'delete', [{ field: 'external_id', from: item.externalId, to: null }], null);
}

async function readOrganization(
  api: ScalekitApi,
  item: PlanItem,
  call: { signal?: AbortSignal | undefined },
): Promise<OrgState | null> {
  try {
    return toOrgState(await api.getOrganization(requireOrgId(item), call));
  } catch (error) {
    if (error instanceof OrgsyncError && error.code === CODE_NOT_FOUND) return null;
    throw error;
  }
}

function currentValue(org: OrgState, field: string): string | null {
  if (field === 'display_name') return org.display_name;
  if (field === 'external_id') return org.external_id;
  return org.metadata[field.slice('metadata.'.length)] ?? null;
}

function outcome(
  item: PlanItem,
  action: ReportItem['action'],
  changes: FieldChange[],
  error: ReportItem['error'],
): ReportItem {
  return {
    external_id: item.externalId,
    account_id: item.accountId,
    line: item.line,
    action,
    org_id: item.orgId,
    changes,
    error,
  };
}

function stale(item: PlanItem, why: string): ReportItem {
  return outcome(item, 'stale', item.changes, { code: 'STALE', message: `${why}; nothing was written for it.` });
}

function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof OrgsyncError) return { code: error.code, message: error.message };
  const e = coerceError(error);
  return { code: 'ERR_UNEXPECTED', message: e.message };
}

function requireDesired(item: PlanItem): NonNullable<PlanItem['desired']> {
  if (!item.desired)
    throw new OrgsyncError('ERR_PLAN', `plan item for ${item.externalId ?? item.orgId} has no desired state`);
  return item.desired;
}

function requireOrgId(item: PlanItem): string {
  if (!item.orgId) throw new OrgsyncError('ERR_PLAN', `plan item for ${item.externalId ?? '?'} has no organization ID`);
  return item.orgId;
}
