import { OrgsyncError, describeError } from '../errors.js';
import type { ScalekitApi, UpdateOrganizationInput } from '../scalekit/api.js';
import { ConflictError, NotFoundError } from '../scalekit/errors.js';
import { mergedMetadataProblem, mergeOwnedMetadata } from './metadata-check.js';
import { decideDeletes, type DeleteDecision } from './delete-decision.js';
import { diffOrganization, type PlanItem } from './plan-item.js';
import type { PlanItems } from './plan-items.js';
import { planItemToReportItem, ReportItems, type ApplyOutcome } from './report-items.js';
import { toOrgState, type OrgState } from './snapshot.js';
import type { FieldChange, ReportItem } from './types.js';

export interface ApplyOptions {
  /** Writes in flight at once (the rate budget paces them further). */
  concurrency: number;
  /** Delete orphans (full scope only), subject to the thresholds and the SCIM check. */
  allowDelete: boolean;
  /** Link adoptable organizations instead of withholding them: all (`true`), or those of these external IDs. */
  adopt: boolean | readonly string[];
  /** The plan comes from a file: every organization is re-read and compared with what was planned. */
  savedPlan: boolean;
  /** Deletes are withheld when more than this many AND more than `deleteMaxPercent` of `managedCount` would go. */
  deleteMaxCount: number;
  deleteMaxPercent: number;
  /** Organizations with a managed external ID, for the percentage threshold. */
  managedCount: number;
  /** The configured regions (to tell an orphan's account ID); default: none, so only unreadable rows match. */
  regions?: readonly string[] | undefined;
  /** ORGSYNC_DELETE_BLOCK_ON_INVALID: no delete at all while any row is invalid or in conflict. Default true. */
  deleteBlockOnInvalid?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /** Called as each item finishes (for progress). */
  onItemDone?: (() => void) | undefined;
  /**
   * Awaited after each write that went through (a create, update or delete), with the item as the
   * report will show it, before the item counts as done: a bulk import's chunk records its
   * progress with it, so a retry does not write the row again. It must handle its own errors (a
   * rejection would report as failed an item whose write went through).
   */
  onWritten?: ((item: ReportItem) => Promise<void>) | undefined;
  /**
   * Runs `fn` while no other process works on the same organization (key: the external ID, or
   * the organization ID when there is none). The queue layer provides a Redis lock; default: none.
   */
  exclusive?: (<T>(key: string, fn: () => Promise<T>) => Promise<T>) | undefined;
}

/**
 * Applies plan items, `concurrency` at a time; a failing item never stops the others. A fixed pool
 * of runners takes the items in order, so a million items never become a million pending promises.
 * Returns the report's items: every item's outcome, those that turned out unchanged left out.
 */
export async function applyPlan(api: ScalekitApi, items: PlanItems, options: ApplyOptions): Promise<ReportItems> {
  const context: ApplyContext = {
    options,
    deletes: options.allowDelete ? deleteDecisionsOf(items, options) : new Map(),
    adoptIds: typeof options.adopt === 'boolean' ? null : new Set(options.adopt),
  };
  const outcomes = new Array<ApplyOutcome>(items.count).fill(null);
  // One iterator shared by the runners: taking the next item is synchronous, so each is taken once.
  const queue = items[Symbol.iterator]();
  let next = 0;
  const runner = async (): Promise<void> => {
    for (let taken = queue.next(); taken.done !== true; taken = queue.next()) {
      const index = next++;
      outcomes[index] = await applyOne(api, taken.value, index, context);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, items.count)) }, runner));
  return ReportItems.ofApplied(items, outcomes);
}

/** `decideDeletes` over a plan, with the settings of an apply (also what a plan's delete preview uses). */
export function deleteDecisionsOf(
  items: PlanItems,
  options: Pick<
    ApplyOptions,
    'regions' | 'deleteMaxCount' | 'deleteMaxPercent' | 'managedCount' | 'deleteBlockOnInvalid'
  >,
): Map<number, DeleteDecision> {
  return decideDeletes({
    items: items.indexedUnpacked(),
    regions: options.regions ?? [],
    maxCount: options.deleteMaxCount,
    maxPercent: options.deleteMaxPercent,
    managedCount: options.managedCount,
    blockOnInvalid: options.deleteBlockOnInvalid ?? true,
  });
}

/**
 * Why an organization must not be deleted although the plan's decision allows it: an enabled SCIM
 * directory (deleting it would leave the customer's IdP pushing into a dead endpoint); null if none.
 * A read only: `apply` asks it just before the delete, a plan's delete preview asks it too.
 */
export async function scimDeleteBlock(
  api: ScalekitApi,
  orgId: string,
  call: { signal?: AbortSignal | undefined },
): Promise<{ code: string; message: string } | null> {
  const directories = await api.listDirectories(orgId, call);
  const scim = directories.find((d) => d.enabled && (d.directory_type ?? 'SCIM').toUpperCase() === 'SCIM');
  if (!scim) return null;
  return {
    code: 'SCIM_DIRECTORY_ENABLED',
    message: `not deleted: organization ${orgId} has an enabled SCIM directory (${scim.id}); disable SCIM provisioning in the identity provider first, then run again.`,
  };
}

/** What every item of one apply shares: the options and the decisions taken for the whole plan. */
interface ApplyContext {
  options: ApplyOptions;
  /** Per orphan (by its index in the plan), when deletes are allowed: delete, or withhold and why (`decideDeletes`). */
  deletes: ReadonlyMap<number, DeleteDecision>;
  /** `--adopt ID,...`: the external IDs to adopt; null when `adopt` is a plain yes or no. */
  adoptIds: ReadonlySet<string> | null;
}

async function applyOne(api: ScalekitApi, item: PlanItem, index: number, context: ApplyContext): Promise<ApplyOutcome> {
  const { options } = context;
  try {
    if (options.signal?.aborted)
      return outcome(item, 'failed', item.changes, {
        code: 'ABORTED',
        message: 'the run was stopped before this item was applied; run again',
      });
    const key = item.externalId ?? item.orgId;
    const run = () => applyItem(api, item, index, context);
    const result = await (options.exclusive && key && item.action !== 'invalid' && item.action !== 'conflict'
      ? options.exclusive(key, run)
      : run());
    const written = writtenItem(item, result);
    if (written && options.onWritten) await options.onWritten(written);
    return result;
  } catch (error) {
    return outcome(item, 'failed', item.changes, describeError(error, 'ERR_UNEXPECTED'));
  } finally {
    options.onItemDone?.();
  }
}

/** The report item of an outcome whose write went through; null for anything else. */
function writtenItem(item: PlanItem, result: ApplyOutcome): ReportItem | null {
  if (result === null) return null;
  if ('createdOrgId' in result) return { ...planItemToReportItem(item), org_id: result.createdOrgId };
  return result.action === 'create' || result.action === 'update' || result.action === 'delete' ? result : null;
}

async function applyItem(
  api: ScalekitApi,
  item: PlanItem,
  index: number,
  context: ApplyContext,
): Promise<ApplyOutcome> {
  const { options } = context;
  switch (item.action) {
    case 'invalid':
    case 'conflict':
      return outcome(item, item.action, item.changes, item.error ?? null);
    case 'create':
      return createItem(api, item, options);
    case 'update':
      return updateItem(api, item, options);
    case 'adoptable': {
      const adopt = context.adoptIds
        ? item.externalId !== null && context.adoptIds.has(item.externalId)
        : options.adopt;
      if (!adopt) return outcome(item, 'adoptable', item.changes, null);
      const fresh = await readOrganization(api, item, options);
      if (!fresh) return stale(item, 'the organization was deleted since it was planned');
      if (fresh.external_id)
        return stale(item, `the organization was linked to external ID ${fresh.external_id} since it was planned`);
      return writeUpdate(api, item, fresh, options, 'check');
    }
    case 'orphan':
      return orphanItem(api, item, options, context.deletes.get(index));
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
    // The report shows the plan's create with this ID: the create is not kept a second time.
    return { createdOrgId: org.id };
  } catch (error) {
    if (!(error instanceof ConflictError) || !item.externalId) throw error;
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
    // The organization was just read, and nothing was planned against it: bring it to the desired state.
    return writeUpdate(api, asUpdate, toOrgState(existing), options, 'recompute');
  }
}

/**
 * An update re-reads the organization under the per-organization lock, metadata or not: the PATCH
 * must not overwrite a value someone changed since the snapshot (last writer would win over newer
 * data), and it must send the whole merged metadata map.
 */
async function updateItem(api: ScalekitApi, item: PlanItem, options: ApplyOptions): Promise<ApplyOutcome> {
  const fresh = await readOrganization(api, item, options);
  if (!fresh) return stale(item, 'the organization was deleted since it was planned');
  return writeUpdate(api, item, fresh, options, 'check');
}

/**
 * Sends one PATCH against `fresh`, the organization as just re-read. `check`: the planned changes,
 * but the item is `stale` (nothing written) when a field they change no longer holds its planned
 * `from`. `recompute`: the changes that bring `fresh` to the desired state (a create that met an
 * existing external ID).
 */
async function writeUpdate(
  api: ScalekitApi,
  item: PlanItem,
  fresh: OrgState,
  options: ApplyOptions,
  how: 'check' | 'recompute',
): Promise<ApplyOutcome> {
  let changes = item.changes;
  if (how === 'check') {
    const drifted = changes.filter((c) => currentValue(fresh, c.field) !== c.from);
    if (drifted.length > 0) {
      const fields = drifted.map((c) => c.field).join(', ');
      return stale(
        item,
        options.savedPlan
          ? `changed in Scalekit since the plan was made: ${fields}. Make a new plan.`
          : `changed in Scalekit since this run read it: ${fields}. The next run plans against the new values`,
      );
    }
  } else {
    changes = diffOrganization(fresh, requireDesired(item));
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
    const current = fresh.metadata;
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
  decision: DeleteDecision | undefined,
): Promise<ApplyOutcome> {
  if (!options.allowDelete || !decision) return outcome(item, 'orphan', [], null);
  if (!decision.delete) return outcome(item, 'orphan', [], decision.error);
  const orgId = requireOrgId(item);
  if (options.savedPlan) {
    const fresh = await readOrganization(api, item, options);
    if (!fresh) return stale(item, 'the organization was deleted since it was planned');
    if (fresh.external_id !== item.externalId)
      return stale(item, "the organization's external ID changed since it was planned");
  }
  const blocked = await scimDeleteBlock(api, orgId, { signal: options.signal });
  if (blocked) return outcome(item, 'orphan', [], blocked);
  try {
    await api.deleteOrganization(orgId, { signal: options.signal });
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
  return outcome(item, 'delete', deleteChanges(item), null);
}

/** The changes a delete shows: the external ID goes. */
export function deleteChanges(item: PlanItem): FieldChange[] {
  return [{ field: 'external_id', from: item.externalId, to: null }];
}

async function readOrganization(
  api: ScalekitApi,
  item: PlanItem,
  call: { signal?: AbortSignal | undefined },
): Promise<OrgState | null> {
  try {
    return toOrgState(await api.getOrganization(requireOrgId(item), call));
  } catch (error) {
    if (error instanceof NotFoundError) return null;
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

function requireDesired(item: PlanItem): NonNullable<PlanItem['desired']> {
  if (!item.desired)
    throw new OrgsyncError('ERR_PLAN', `plan item for ${item.externalId ?? item.orgId} has no desired state`);
  return item.desired;
}

function requireOrgId(item: PlanItem): string {
  if (!item.orgId) throw new OrgsyncError('ERR_PLAN', `plan item for ${item.externalId ?? '?'} has no organization ID`);
  return item.orgId;
}
