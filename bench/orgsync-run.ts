import { pino } from 'pino';
import { requiredColumns } from '../src/app.js';
import type { DomainRules } from '../src/domain/types.js';
import { runSync } from '../src/engine/run.js';
import type { ScalekitApi } from '../src/scalekit/api.js';
import { createCsvSource } from '../src/sources/csv-source.js';
import { createBenchClient } from './bench-client.js';
import type { ChildJob, ChildResult } from './child-job.js';
import { BENCH_METADATA_KEYS, BENCH_REGIONS } from './dataset.js';

/** orgsync's default rules, as the CLI builds them. */
export const BENCH_RULES: DomainRules = { regions: [...BENCH_REGIONS], metadataKeys: [...BENCH_METADATA_KEYS] };

/** Phase boundaries seen from outside the engine, in `performance.now()` milliseconds. */
interface Phases {
  lastListPageMs: number | undefined;
  applyStartMs: number | undefined;
  applyStartCalls: number;
}

/** Wraps the client so the end of the listing is seen (the engine reports no phase boundaries). */
function watchListing(api: ScalekitApi, phases: Phases): ScalekitApi {
  return {
    ...api,
    async *listOrganizations(options) {
      for await (const page of api.listOrganizations(options)) {
        phases.lastListPageMs = performance.now();
        yield page;
      }
    },
  };
}

/**
 * One `orgsync plan` / `orgsync apply` of a CSV, exactly as the CLI runs it (`runSync`, the CSV
 * source, the product client behind a token bucket), with the phases timed: the apply phase
 * starts when the engine takes up its first item (seen through the `exclusive` hook, a pass-through).
 */
export async function measureOrgsyncRun(job: Extract<ChildJob, { kind: 'orgsync' }>): Promise<ChildResult> {
  const bench = createBenchClient(job.connection);
  const { client } = bench;
  const phases: Phases = { lastListPageMs: undefined, applyStartMs: undefined, applyStartCalls: 0 };
  const api = watchListing(client, phases);
  const source = createCsvSource({ path: job.csvPath, requiredColumns: requiredColumns(BENCH_RULES) });
  const startMs = performance.now();
  try {
    const { report } = await runSync(
      { api, logger: pino({ level: 'silent' }), rules: BENCH_RULES },
      {
        mode: job.mode,
        scope: job.scope,
        source,
        allowDelete: false,
        adopt: false,
        concurrency: job.concurrency,
        deleteMaxCount: 10,
        deleteMaxPercent: 10,
        exclusive: (_key, fn) => {
          if (phases.applyStartMs === undefined) {
            phases.applyStartMs = performance.now();
            phases.applyStartCalls = client.stats().apiCalls;
          }
          return fn();
        },
      },
    );
    const endMs = performance.now();
    const stats = client.stats();
    const planStartMs = phases.lastListPageMs ?? startMs;
    const applyStartMs = phases.applyStartMs ?? endMs;
    const s = report.summary;
    return {
      calls: stats.apiCalls,
      tokenCalls: stats.tokenCalls,
      retries: stats.retries,
      wallMs: endMs - startMs,
      applyMs: job.mode === 'apply' ? endMs - applyStartMs : 0,
      applyCalls: job.mode === 'apply' ? stats.apiCalls - phases.applyStartCalls : 0,
      snapshotMs: planStartMs - startMs,
      planMs: applyStartMs - planStartMs,
      rows: s.accounts,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      created: s.create,
      updated: s.update,
      failed: s.failed + s.invalid + s.conflict + s.stale,
      roundTripP50Ms: bench.roundTrips().p50Ms,
      roundTripP95Ms: bench.roundTrips().p95Ms,
    };
  } finally {
    await client.close();
  }
}
