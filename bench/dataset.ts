/**
 * The synthetic data every scenario runs on: deterministic accounts, the organizations the
 * environment starts with, and the drift between them. The CSV writer, the emulator child and the
 * remote seeder all derive their data from one `DatasetSpec`, so they always agree.
 */

/** The regions of the generated accounts (orgsync's defaults). */
export const BENCH_REGIONS = ['us-east', 'us-west', 'eu-west', 'eu-central', 'ap-south', 'ap-southeast'] as const;
/** The metadata keys orgsync owns (its defaults). */
export const BENCH_METADATA_KEYS = ['invoice_email', 'billing_plan', 'billing_currency', 'tax_id'] as const;
/** Every generated account ID starts with this, so a remote seeder touches only bench data. */
export const BENCH_ACCOUNT_PREFIX = 'BENCH';

const PLANS = ['free', 'growth', 'pro', 'enterprise'] as const;
const CURRENCIES = ['USD', 'EUR', 'GBP'] as const;

/** Which accounts exist where, and how they differ. */
export interface DatasetSpec {
  /** Accounts 0..envAccounts-1 have an organization in the environment (unless drifted to `create`). */
  envAccounts: number;
  /** One environment account in `driftEvery` drifts (100 = 1%); 0 = none. */
  driftEvery: number;
  /** The CSV holds accounts csvFrom..csvFrom+csvCount-1. */
  csvFrom: number;
  csvCount: number;
}

/** How one account's organization differs from the account. */
export type DriftKind = 'none' | 'create' | 'rename' | 'metadata';

/** One account as the host system has it (CSV cells; '' = absent). */
export interface BenchAccount {
  index: number;
  accountId: string;
  region: string;
  externalId: string;
  displayName: string;
  metadata: Record<(typeof BENCH_METADATA_KEYS)[number], string>;
}

/** An organization to seed: the API's create fields. */
export interface BenchOrganization {
  display_name: string;
  external_id: string;
  metadata: Record<string, string>;
}

/** The account with this index. */
export function benchAccount(index: number): BenchAccount {
  const region = BENCH_REGIONS[index % BENCH_REGIONS.length] ?? 'us-east';
  const accountId = `${BENCH_ACCOUNT_PREFIX}-${String(index).padStart(7, '0')}`;
  return {
    index,
    accountId,
    region,
    externalId: `${region}-${accountId}`,
    displayName: `Company ${index} Ltd`,
    metadata: {
      invoice_email: `billing+${index}@example.com`,
      billing_plan: PLANS[index % PLANS.length] ?? 'free',
      billing_currency: CURRENCIES[index % CURRENCIES.length] ?? 'USD',
      tax_id: index % 2 === 0 ? `TX${index}` : '',
    },
  };
}

/** The drift of account `index` under `spec`: every `driftEvery`-th environment account, kinds in turn. */
export function driftOf(spec: DatasetSpec, index: number): DriftKind {
  if (index >= spec.envAccounts || spec.driftEvery <= 0) return 'none';
  if (index % spec.driftEvery !== Math.floor(spec.driftEvery / 2)) return 'none';
  const kinds: DriftKind[] = ['create', 'rename', 'metadata'];
  return kinds[Math.floor(index / spec.driftEvery) % kinds.length] ?? 'none';
}

/** The organization the environment holds for account `index`, or null when it has none. */
export function benchOrganization(spec: DatasetSpec, index: number): BenchOrganization | null {
  const drift = driftOf(spec, index);
  if (index >= spec.envAccounts || drift === 'create') return null;
  const account = benchAccount(index);
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(account.metadata)) if (value !== '') metadata[key] = value;
  // Keys someone else owns: orgsync must keep them through its metadata merges.
  if (index % 7 === 0) metadata.crm_owner = `owner-${index % 13}`;
  if (drift === 'metadata') metadata.billing_plan = 'legacy';
  return {
    display_name: drift === 'rename' ? `Old name ${index}` : account.displayName,
    external_id: account.externalId,
    metadata,
  };
}

/** Every organization of the environment, in account order. */
export function* benchOrganizations(spec: DatasetSpec): Generator<BenchOrganization> {
  for (let index = 0; index < spec.envAccounts; index += 1) {
    const org = benchOrganization(spec, index);
    if (org) yield org;
  }
}

/** What the CSV needs done, counted exactly from the spec. */
export interface DriftCounts {
  /** Organizations in the environment before the run. */
  organizations: number;
  creates: number;
  renames: number;
  metadataUpdates: number;
}

/** Counts the environment and the drift of the CSV's accounts. */
export function countDrift(spec: DatasetSpec): DriftCounts {
  const counts: DriftCounts = { organizations: 0, creates: 0, renames: 0, metadataUpdates: 0 };
  for (let index = 0; index < spec.envAccounts; index += 1)
    if (driftOf(spec, index) !== 'create') counts.organizations += 1;
  for (let index = spec.csvFrom; index < spec.csvFrom + spec.csvCount; index += 1) {
    const drift = index >= spec.envAccounts ? 'create' : driftOf(spec, index);
    if (drift === 'create') counts.creates += 1;
    else if (drift === 'rename') counts.renames += 1;
    else if (drift === 'metadata') counts.metadataUpdates += 1;
  }
  return counts;
}

/** The floor of Scalekit calls, and what it is made of. */
export interface CallFloor {
  listPages: number;
  writes: number;
  reReads: number;
  total: number;
}

/**
 * The fewest calls any correct run can make: the cheaper of a listing (⌈organizations/100⌉ pages)
 * and one lookup per account (partial runs only, after the first page), plus one write per drifted
 * account and one re-read before each update (metadata or not: an update is stale, and nothing is
 * written, when a field it changes was changed since the snapshot).
 */
export function callFloor(counts: DriftCounts, accounts: number, scope: 'partial' | 'full'): CallFloor {
  const pages = Math.max(1, Math.ceil(counts.organizations / 100));
  const listPages = scope === 'full' ? pages : Math.min(pages, 1 + accounts);
  const writes = counts.creates + counts.renames + counts.metadataUpdates;
  const reReads = counts.renames + counts.metadataUpdates;
  return { listPages, writes, reReads, total: listPages + writes + reReads };
}
