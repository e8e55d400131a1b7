import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInChild, type ChildOptions, type ChildResult, type Connection } from './child-job.js';
import { writeAccountsCsv } from './csv-writer.js';
import { callFloor, countDrift, type DriftCounts } from './dataset.js';
import type { ResultRow } from './result-row.js';
import type { Scenario } from './scenarios.js';
import type { BenchTarget } from './target.js';
import type { RedisSettings } from '../src/store/redis-client.js';

/** Settings shared by every run of a bench invocation. */
export interface RunSettings {
  ratePerSecond: number;
  concurrency: number;
  child: ChildOptions;
  log: (line: string) => void;
  /** The Redis of the queued scenarios: REDIS_URL and ORGSYNC_REDIS_MODE, or the bench's own cluster. */
  redis: RedisSettings;
}

interface RunPlan {
  run: string;
  csvPath: string;
  accounts: number;
  job: (connection: Connection) => Parameters<typeof runInChild>[0];
}

/**
 * Runs one scenario: generates its CSV in a temp dir (deleted afterwards), prepares the target,
 * then runs orgsync and the baselines, each from the same starting state and in its own child.
 */
export async function runScenario(
  scenario: Scenario,
  target: BenchTarget,
  settings: RunSettings,
): Promise<ResultRow[]> {
  const dir = await mkdtemp(join(tmpdir(), `orgsync-bench-${scenario.name}-`));
  try {
    const { spec } = scenario;
    const csvPath = join(dir, 'accounts.csv');
    const bytes = await writeAccountsCsv(csvPath, spec.csvFrom, spec.csvCount);
    settings.log(`${scenario.name}: ${scenario.title} (CSV ${(bytes / 1e6).toFixed(1)} MB)`);
    const runs: RunPlan[] = [
      {
        run: 'orgsync',
        csvPath,
        accounts: spec.csvCount,
        job: (connection) => ({
          kind: 'orgsync',
          mode: scenario.mode,
          scope: scenario.scope,
          csvPath,
          concurrency: settings.concurrency,
          connection,
        }),
      },
    ];
    if (scenario.baselines) {
      runs.push({
        run: 'baseline-10',
        csvPath,
        accounts: spec.csvCount,
        job: (connection) => ({ kind: 'baseline', inFlight: 10, csvPath, connection }),
      });
      const sample = scenario.baselines.sequentialSample;
      const samplePath = sample < spec.csvCount ? join(dir, 'sample.csv') : csvPath;
      if (samplePath !== csvPath) await writeAccountsCsv(samplePath, spec.csvFrom, sample);
      runs.push({
        run: 'baseline-seq',
        csvPath: samplePath,
        accounts: sample,
        job: (connection) => ({ kind: 'baseline', inFlight: 1, csvPath: samplePath, connection }),
      });
    }
    await target.prepare(spec);
    const counts = countDrift(spec);
    const floor = callFloor(counts, spec.csvCount, scenario.scope);
    const floorCalls = scenario.mode === 'plan' ? floor.listPages : floor.total;
    const rows: ResultRow[] = [];
    for (const plan of runs) {
      await target.reset();
      const connection: Connection = {
        url: target.url(),
        clientId: target.clientId,
        clientSecret: target.clientSecret,
        ratePerSecond: settings.ratePerSecond,
      };
      settings.log(`  ${plan.run} over ${plan.accounts} accounts ...`);
      const result = await runInChild(plan.job(connection), settings.child);
      const server = await target.counts();
      const scale = spec.csvCount / plan.accounts;
      const row: ResultRow = {
        scenario: scenario.name,
        run: plan.run,
        accounts: spec.csvCount,
        drift: (counts.creates + counts.renames + counts.metadataUpdates) / spec.csvCount,
        calls: Math.round((server?.apiCalls ?? result.calls) * scale),
        countedBy: server ? 'server' : 'client',
        floorCalls,
        wallMs: result.wallMs * scale,
        floorMs: (floorCalls / settings.ratePerSecond) * 1000,
        applyRateRatio:
          scenario.mode === 'plan' || result.applyMs <= 0
            ? null
            : result.applyCalls / (result.applyMs / 1000) / settings.ratePerSecond,
        rowsPerSecond: plan.run === 'orgsync' && result.planMs > 0 ? result.rows / (result.planMs / 1000) : null,
        peakRssBytes: result.peakRssBytes,
        callsVsOrgsync: null,
        sampledAccounts: scale === 1 ? null : plan.accounts,
        roundTripP50Ms: result.roundTripP50Ms,
        roundTripP95Ms: result.roundTripP95Ms,
        phasesMs: { snapshot: result.snapshotMs, plan: result.planMs, apply: result.applyMs },
        rateLimited: server?.rateLimited ?? null,
        notes: checkResult(plan, scenario, result, counts, server?.apiCalls),
        detail:
          scenario.mode === 'plan'
            ? 'a dry run: the floor is the listing; rows/s = rows read, parsed and diffed per second after the listing'
            : null,
      };
      settings.log(`    ${row.calls} calls, ${(result.wallMs / 1000).toFixed(1)} s${scale === 1 ? '' : ' (sample)'}`);
      rows.push(row);
    }
    const orgsyncCalls = rows[0]?.calls ?? 0;
    for (const row of rows) row.callsVsOrgsync = orgsyncCalls > 0 ? row.calls / orgsyncCalls : null;
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Did the run do what the drift needs, no more and no less? */
function checkResult(
  plan: RunPlan,
  scenario: Scenario,
  result: ChildResult,
  counts: DriftCounts,
  serverCalls: number | undefined,
): string[] {
  const notes: string[] = [];
  if (result.failed > 0) notes.push(`${result.failed} items failed`);
  if (serverCalls !== undefined && serverCalls !== result.calls)
    notes.push(`client counted ${result.calls} calls, the target ${serverCalls}`);
  if (result.rows !== plan.accounts) notes.push(`read ${result.rows} of ${plan.accounts} rows`);
  if (plan.run === 'orgsync') {
    if (result.created !== counts.creates) notes.push(`${result.created} creates, expected ${counts.creates}`);
    if (result.updated !== counts.renames + counts.metadataUpdates)
      notes.push(`${result.updated} updates, expected ${counts.renames + counts.metadataUpdates}`);
  }
  if (scenario.mode === 'apply' && result.retries > 0) notes.push(`${result.retries} retries`);
  return notes;
}
