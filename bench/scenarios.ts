import type { DatasetSpec } from './dataset.js';

/** Quick (default, a few minutes on 2 cores) or full sizes. */
export type BenchSize = 'quick' | 'full';

/** One scenario run by `runScenario`: a dataset, how orgsync runs on it, and which baselines. */
export interface Scenario {
  name: string;
  /** One line for the table's legend. */
  title: string;
  spec: DatasetSpec;
  mode: 'plan' | 'apply';
  scope: 'partial' | 'full';
  /** Run the two baselines; the sequential one on the first `sequentialSample` accounts, scaled up. */
  baselines: { sequentialSample: number } | null;
}

/** Names accepted by `--scenario`, in the order they run. */
export const SCENARIO_NAMES = [
  'nightly-sync',
  'import-apply',
  'bulk-import-queue',
  'plan-large',
  'webhook-burst',
  'csv-reading',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Sizes per mode, from the issue (quick sizes in parentheses there). */
export function scenarioSizes(size: BenchSize) {
  const full = size === 'full';
  return {
    nightlyAccounts: full ? 20_000 : 5_000,
    importAccounts: full ? 5_000 : 1_500,
    planRows: full ? 1_000_000 : 200_000,
    planOrganizations: full ? 200_000 : 40_000,
    // A sequential loop is latency-bound (~45 requests/s at 20 ms): quick mode measures a sample.
    nightlySequentialSample: full ? 20_000 : 1_200,
    importSequentialSample: full ? 5_000 : 300,
  };
}

/** The scenarios that go through `runScenario` (the queue and webhook ones have their own runners). */
export function engineScenario(name: ScenarioName, size: BenchSize): Scenario | null {
  const s = scenarioSizes(size);
  switch (name) {
    case 'nightly-sync':
      return {
        name,
        title: `nightly full sync of ${s.nightlyAccounts} accounts, 1% drifted (creates, renames, metadata changes in turn)`,
        spec: { envAccounts: s.nightlyAccounts, driftEvery: 100, csvFrom: 0, csvCount: s.nightlyAccounts },
        mode: 'apply',
        scope: 'full',
        baselines: { sequentialSample: Math.min(s.nightlyAccounts, s.nightlySequentialSample) },
      };
    case 'import-apply':
      return {
        name,
        title: `orgsync apply (in-process) of ${s.importAccounts} new accounts into an environment of ${s.nightlyAccounts}`,
        spec: { envAccounts: s.nightlyAccounts, driftEvery: 0, csvFrom: s.nightlyAccounts, csvCount: s.importAccounts },
        mode: 'apply',
        scope: 'partial',
        baselines: { sequentialSample: Math.min(s.importAccounts, s.importSequentialSample) },
      };
    case 'plan-large':
      return {
        name,
        title: `orgsync plan of a ${s.planRows}-row CSV against ${s.planOrganizations} organizations (1% of them drifted)`,
        spec: { envAccounts: s.planOrganizations, driftEvery: 100, csvFrom: 0, csvCount: s.planRows },
        mode: 'plan',
        scope: 'full',
        baselines: null,
      };
    default:
      return null;
  }
}
