import pLimit from 'p-limit';
import type { ScalekitApi } from '../scalekit/api.js';
import type { Organization } from '../scalekit/schemas.js';

/** The part of an organization the engine needs; kept small so 200,000 of them fit easily. */
export interface OrgState {
  id: string;
  display_name: string;
  external_id: string | null;
  metadata: Record<string, string>;
}

/** What Scalekit holds, as far as this run looked. */
export interface Snapshot {
  /** `list`: every organization was read; `lookup`: the accounts were looked up one by one. */
  strategy: 'list' | 'lookup';
  /** Scalekit's `total_size` on the first page. */
  totalSize: number;
  byExternalId: Map<string, OrgState>;
  /** Organizations without an external ID (all of them in `list`, the first page's in `lookup`). */
  unlinked: OrgState[];
}

export function toOrgState(org: Organization): OrgState {
  return {
    id: org.id,
    display_name: org.display_name,
    external_id: org.external_id || null,
    metadata: { ...org.metadata },
  };
}

export function createEmptySnapshot(strategy: Snapshot['strategy'], totalSize: number): Snapshot {
  return { strategy, totalSize, byExternalId: new Map(), unlinked: [] };
}

/** Adds one listing page to a snapshot. */
export function addOrganizations(snapshot: Snapshot, orgs: readonly Organization[]): void {
  for (const org of orgs) {
    const state = toOrgState(org);
    if (state.external_id) snapshot.byExternalId.set(state.external_id, state);
    else snapshot.unlinked.push(state);
  }
}

/**
 * Calls a listing costs beyond the first page, against one lookup per account: lookups win only
 * when the accounts are fewer than the pages still to read.
 */
export function remainingPages(totalSize: number, firstPageCount: number, pageSize: number): number {
  return Math.max(0, Math.ceil(Math.max(0, totalSize - firstPageCount) / pageSize));
}

/** Looks each external ID up (bounded concurrency) and adds what exists to the snapshot. */
export async function lookupExternalIds(
  api: ScalekitApi,
  snapshot: Snapshot,
  externalIds: readonly string[],
  options: { concurrency: number; signal?: AbortSignal | undefined },
): Promise<void> {
  const limit = pLimit(options.concurrency);
  await Promise.all(
    externalIds.map((id) =>
      limit(async () => {
        const org = await api.getOrganizationByExternalId(id, { signal: options.signal });
        if (org) snapshot.byExternalId.set(id, toOrgState(org));
      }),
    ),
  );
}
