/**
 * The baselines: the loop a user would write first, with no snapshot and no plan. For each CSV
 * row: look the organization up by external ID, then create it, or update it if it differs.
 * They use the same client as orgsync (`createBenchClient`: the product's client behind the same
 * token bucket), so the call counts and pacing compare fairly. Written plainly on purpose.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import pLimit from 'p-limit';
import type { ScalekitApi } from '../src/scalekit/api.js';
import { createBenchClient } from './bench-client.js';
import type { ChildJob, ChildResult } from './child-job.js';
import { BENCH_METADATA_KEYS } from './dataset.js';

type Row = Record<string, string>;
type Outcome = 'created' | 'updated' | 'unchanged' | 'failed';

async function syncRow(api: ScalekitApi, row: Row): Promise<Outcome> {
  const externalId = `${row.region}-${row.account_id}`;
  const displayName = row.display_name ?? '';
  const org = await api.getOrganizationByExternalId(externalId);
  if (!org) {
    const metadata: Record<string, string> = {};
    for (const key of BENCH_METADATA_KEYS) if (row[key]) metadata[key] = row[key];
    await api.createOrganization({ display_name: displayName, external_id: externalId, metadata });
    return 'created';
  }
  // Keep keys someone else put there; set ours (an empty cell removes the key).
  const metadata = { ...org.metadata };
  for (const key of BENCH_METADATA_KEYS) {
    if (row[key]) metadata[key] = row[key];
    else delete metadata[key];
  }
  const sameMetadata =
    Object.keys(metadata).length === Object.keys(org.metadata).length &&
    Object.keys(metadata).every((k) => metadata[k] === org.metadata[k]);
  if (org.display_name === displayName && sameMetadata) return 'unchanged';
  await api.updateOrganization(org.id, { display_name: displayName, metadata });
  return 'updated';
}

async function safely(api: ScalekitApi, row: Row): Promise<Outcome> {
  try {
    return await syncRow(api, row);
  } catch {
    // A user's loop logs and goes on; the bench only counts it.
    return 'failed';
  }
}

function readRows(path: string): AsyncIterable<Row> {
  return createReadStream(path).pipe(parse({ columns: true, skip_empty_lines: true }));
}

/** One row after another. */
async function sequential(api: ScalekitApi, path: string): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for await (const row of readRows(path)) outcomes.push(await safely(api, row));
  return outcomes;
}

/** The same, `inFlight` rows at a time. */
async function concurrent(api: ScalekitApi, path: string, inFlight: number): Promise<Outcome[]> {
  const rows: Row[] = [];
  for await (const row of readRows(path)) rows.push(row);
  const limit = pLimit(inFlight);
  return Promise.all(rows.map((row) => limit(() => safely(api, row))));
}

/** Runs a baseline against the job's target and measures it; the whole loop counts as its apply phase. */
export async function measureBaseline(job: Extract<ChildJob, { kind: 'baseline' }>): Promise<ChildResult> {
  const bench = createBenchClient(job.connection);
  const api = bench.client;
  const startMs = performance.now();
  try {
    const outcomes =
      job.inFlight <= 1 ? await sequential(api, job.csvPath) : await concurrent(api, job.csvPath, job.inFlight);
    const wallMs = performance.now() - startMs;
    const stats = api.stats();
    const count = (o: Outcome) => outcomes.filter((x) => x === o).length;
    return {
      calls: stats.apiCalls,
      tokenCalls: stats.tokenCalls,
      retries: stats.retries,
      wallMs,
      applyMs: wallMs,
      applyCalls: stats.apiCalls,
      snapshotMs: 0,
      planMs: 0,
      rows: outcomes.length,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      created: count('created'),
      updated: count('updated'),
      failed: count('failed'),
      roundTripP50Ms: bench.roundTrips().p50Ms,
      roundTripP95Ms: bench.roundTrips().p95Ms,
    };
  } finally {
    await api.close();
  }
}
