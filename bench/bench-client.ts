import { pino } from 'pino';
import { createScalekitClient, type ScalekitClient } from '../src/scalekit/client.js';
import { createTokenBucket } from '../src/scalekit/token-bucket.js';
import type { Connection } from './child-job.js';

/** The product client plus what the bench reads off it. */
export interface BenchClient {
  client: ScalekitClient;
  /** Round trips of `/api/v1` requests so far, as the client measured them: median and 95th percentile, in ms. */
  roundTrips(): { p50Ms: number; p95Ms: number };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/**
 * The client every measured run uses, orgsync's and the baselines' alike: the product's own
 * `createScalekitClient` behind a token bucket at the budget (burst 1, as `orgsync apply` builds it),
 * so the call counts and the pacing compare fairly.
 */
export function createBenchClient(connection: Connection): BenchClient {
  const durationsMs: number[] = [];
  const client = createScalekitClient({
    environmentUrl: connection.url,
    clientId: connection.clientId,
    clientSecret: connection.clientSecret,
    rateBudget: createTokenBucket({ ratePerSecond: connection.ratePerSecond }),
    logger: pino({ level: 'error' }),
    onRequest: (info) => {
      if (info.routeTemplate.startsWith('/api/')) durationsMs.push(info.durationMs);
    },
  });
  return {
    client,
    roundTrips() {
      const sorted = [...durationsMs].sort((a, b) => a - b);
      return { p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95) };
    },
  };
}
