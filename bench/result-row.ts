/** One line of the results table (and of `bench/results.json`). Times in ms, sizes in bytes. */
export interface ResultRow {
  scenario: string;
  /** `orgsync`, `baseline-seq`, `baseline-10`, `queue-3-workers`, ... */
  run: string;
  accounts: number;
  /** Fraction of the accounts whose organization needs a write (0..1). */
  drift: number;
  /** `/api/v1` calls, counted by the target when it can (our emulator), else by our client. */
  calls: number;
  /** Who counted `calls`. */
  countedBy: 'server' | 'client';
  /** The floor of calls for this scenario (see docs/performance.md). */
  floorCalls: number;
  wallMs: number;
  /** The floor's calls at the rate budget. */
  floorMs: number;
  /** Requests during the apply phase / its wall time / the budget; null for a plan. */
  applyRateRatio: number | null;
  /** Rows planned per second after the snapshot; null for a baseline. */
  rowsPerSecond: number | null;
  peakRssBytes: number | null;
  /** This run's calls / orgsync's on the same scenario. */
  callsVsOrgsync: number | null;
  /** Measured on a sample of this many accounts, then scaled linearly to `accounts`. */
  sampledAccounts: number | null;
  /** Round trip of one request as the client saw it, in ms: median and 95th percentile. */
  roundTripP50Ms: number | null;
  roundTripP95Ms: number | null;
  /** Where orgsync's time went (unscaled ms): snapshot, planning, apply. Zero for baselines. */
  phasesMs: { snapshot: number; plan: number; apply: number };
  /** 429s the target answered (emulator only). */
  rateLimited: number | null;
  /** Anything off: failures, counts that do not match the drift. */
  notes: string[];
  /** How to read this row (printed under the table), when it needs saying. */
  detail: string | null;
}
