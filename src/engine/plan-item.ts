import type { Organization } from '../scalekit/schemas.js';
import type { Account } from '../domain/types.js';
import type { FieldChange } from './types.js';

/** What a plan intends for one account or organization. */
export type PlanAction = 'create' | 'update' | 'orphan' | 'adoptable' | 'invalid' | 'conflict';

/** One entry of a plan (only actions other than `unchanged` are kept; those are counted). */
export interface PlanItem {
  action: PlanAction;
  externalId: string | null;
  accountId: string | null;
  line: number | null;
  orgId: string | null;
  /** Field-level changes, `from` as planned against, `to` as desired. */
  changes: FieldChange[];
  /** For create/update/adoptable: the desired state of the organization. */
  desired?: { displayName: string; metadata: Record<string, string | null> } | undefined;
  error?: { code: string; message: string } | null | undefined;
}

/** Metadata key as a change field name. */
export const metadataField = (key: string): string => `metadata.${key}`;

/** The changes that bring `org` to what `account` says, over owned keys only. Empty = unchanged. */
export function diffOrganization(
  org: Pick<Organization, 'display_name' | 'metadata'>,
  account: Pick<Account, 'displayName' | 'metadata'>,
): FieldChange[] {
  const changes: FieldChange[] = [];
  if (org.display_name !== account.displayName) {
    changes.push({ field: 'display_name', from: org.display_name, to: account.displayName });
  }
  for (const [key, want] of Object.entries(account.metadata)) {
    const have = org.metadata[key] ?? null;
    if (have !== want) changes.push({ field: metadataField(key), from: have, to: want });
  }
  return changes;
}

/** The changes of creating an organization for `account`. */
export function creationChanges(account: Pick<Account, 'displayName' | 'externalId' | 'metadata'>): FieldChange[] {
  const changes: FieldChange[] = [
    { field: 'display_name', from: null, to: account.displayName },
    { field: 'external_id', from: null, to: account.externalId },
  ];
  for (const [key, want] of Object.entries(account.metadata)) {
    if (want !== null) changes.push({ field: metadataField(key), from: null, to: want });
  }
  return changes;
}
