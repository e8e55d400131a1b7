import { z } from 'zod';
import type { BenchSize } from './scenarios.js';

/** The part of `WebhookBenchResult` (bench/webhooks.ts, the HTTP engineer's) that the table shows. */
export const webhookResultSchema = z.object({
  deliveries: z.number(),
  accounts: z.number(),
  connections: z.number(),
  requestsPerSecond: z.number(),
  latencyP50Ms: z.number(),
  latencyP99Ms: z.number(),
  statuses: z.record(z.string(), z.number()),
  enqueued: z.number(),
  deduplicated: z.number(),
  reconcileRuns: z.number(),
  reconcileWrites: z.number(),
  staleAccounts: z.number(),
});
export type WebhookResult = z.output<typeof webhookResultSchema>;

/**
 * The webhook burst: calls `runWebhookBench` from bench/webhooks.ts when that module is in the
 * build (it is written separately), else says why not. Loaded by a computed specifier so that the
 * runner builds and runs without it; its result is checked at run time.
 */
export async function runWebhookBurst(size: BenchSize): Promise<WebhookResult | string> {
  const specifier = './webhooks.js';
  let loaded: unknown;
  try {
    loaded = await import(specifier);
  } catch (error) {
    return `webhook-burst: bench/webhooks.ts is not in this build (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }
  if (
    typeof loaded !== 'object' ||
    loaded === null ||
    !('runWebhookBench' in loaded) ||
    typeof loaded.runWebhookBench !== 'function'
  ) {
    return 'webhook-burst: bench/webhooks.js exports no runWebhookBench function';
  }
  const options = size === 'full' ? { deliveries: 10_000, accounts: 100 } : { deliveries: 2_000, accounts: 20 };
  const result: unknown = await loaded.runWebhookBench(options);
  return webhookResultSchema.parse(result);
}

/** The webhook burst as a small Markdown table of its own (its figures are not Scalekit calls). */
export function renderWebhookTable(r: WebhookResult): string {
  const statuses = Object.entries(r.statuses)
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ');
  const head = [
    'deliveries',
    'accounts',
    'connections',
    'deliveries/s',
    'p50/p99 ms',
    'statuses',
    'enqueued',
    'deduplicated',
    'reconciles',
    'writes',
    'stale accounts',
  ];
  const row = [
    r.deliveries,
    r.accounts,
    r.connections,
    r.requestsPerSecond,
    `${r.latencyP50Ms}/${r.latencyP99Ms}`,
    statuses,
    r.enqueued,
    r.deduplicated,
    r.reconcileRuns,
    r.reconcileWrites,
    r.staleAccounts,
  ].map(String);
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---:').join('|')}|`, `| ${row.join(' | ')} |`].join('\n');
}
