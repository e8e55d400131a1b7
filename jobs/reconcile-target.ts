import { isManagedExternalId } from '../src/engine/plan-item.js';
import type { AccountSource, SourceRecord } from '../src/sources/source.js';

/** The account an external ID belongs to: `us-east-CUST-1` → region `us-east`, account `CUST-1`. */
export function splitExternalId(
  externalId: string,
  regions: readonly string[],
): { region: string; accountId: string } | null {
  if (!isManagedExternalId(externalId, regions)) return null;
  // The longest matching region wins, should one region be a prefix of another (`us` and `us-east`).
  const region = [...regions].sort((a, b) => b.length - a.length).find((r) => externalId.startsWith(`${r}-`));
  return region === undefined ? null : { region, accountId: externalId.slice(region.length + 1) };
}

interface LookupCapable {
  findAccount(accountId: string, region?: string, options?: { signal?: AbortSignal }): Promise<SourceRecord | null>;
}

function canLookUp(source: AccountSource): source is AccountSource & LookupCapable {
  return 'findAccount' in source && typeof source.findAccount === 'function';
}

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
  if (canLookUp(source)) return source.findAccount(accountId, region, { signal });
  for await (const record of source.records({ signal })) {
    if (record.values.account_id?.trim() !== accountId) continue;
    const recordRegion = record.values.region?.trim().toLowerCase();
    if (recordRegion === undefined || recordRegion === region) return record;
  }
  return null;
}
