import type { Account } from '../../src/domain/types.js';
import type { OrgState } from '../../src/engine/snapshot.js';

export const OWNED_KEYS = ['invoice_email', 'billing_plan', 'billing_currency', 'tax_id'] as const;
export const REGIONS = ['us-east', 'us-west', 'eu-west'];

/** An account with every owned key set (null = absent) unless overridden. */
export function account(accountId: string, overrides: Partial<Omit<Account, 'accountId'>> = {}): Account {
  const region = overrides.region ?? 'us-east';
  return {
    line: overrides.line ?? 2,
    accountId,
    region,
    externalId: overrides.externalId ?? `${region}-${accountId}`,
    displayName: overrides.displayName ?? `Company ${accountId}`,
    metadata: overrides.metadata ?? { invoice_email: null, billing_plan: 'pro', billing_currency: null, tax_id: null },
  };
}

/** The organization that matches `a` exactly. */
export function orgFor(a: Account, id: string, extra: Record<string, string> = {}): OrgState {
  const metadata: Record<string, string> = { ...extra };
  for (const [k, v] of Object.entries(a.metadata)) if (v !== null) metadata[k] = v;
  return { id, display_name: a.displayName, external_id: a.externalId, metadata };
}
