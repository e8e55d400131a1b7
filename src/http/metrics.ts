import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ItemAction } from '../engine/types.js';
import { ACTIONS } from '../engine/report.js';
import type { RunVerdict } from '../engine/run-verdict.js';

/** The webhook routes, as the `route` label of `orgsync_webhook_deliveries_total`. */
export type WebhookRouteLabel = 'accounts' | 'scalekit';

/** Every outcome of a delivery (a bounded label set). */
export type WebhookOutcome =
  | 'accepted'
  | 'deduplicated'
  | 'replayed'
  | 'ignored'
  | 'invalid_signature'
  | 'invalid_json'
  | 'invalid_payload'
  | 'too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'not_configured'
  | 'rejected'
  | 'error';

/** What the alerting metrics say of one job kind, from the runs of that kind the history holds. */
export interface KindStats {
  kind: string;
  /** Per verdict, when the newest run of this kind with that verdict finished (Unix seconds). */
  lastRunAt: Partial<Record<RunVerdict, number>>;
  /** When the newest run of this kind that did not fail finished (Unix seconds); `null` when none. */
  lastSuccessAt: number | null;
  /** Durations of the runs of this kind, in seconds. */
  durationsSeconds: readonly number[];
  /** Items per action of the newest run of this kind that has a report; `null` when none has. */
  drift: Partial<Record<ItemAction, number>> | null;
}

/** Totals of finished runs by kind and result, and per kind what alerts need, read on every scrape. */
export interface RunStats {
  totals: readonly { kind: string; result: string; count: number }[];
  kinds: readonly KindStats[];
}

/** Buckets of `orgsync_run_duration_seconds`: a reconcile's second to a big nightly sync's hours. */
const RUN_DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1_800, 3_600, 7_200, 14_400];

/** Where the collected-on-scrape metrics come from; each is optional. */
export interface MetricsSources {
  /** BullMQ job counts by state (`waiting`, `active`, `completed`, `failed`, `delayed`, ...). */
  queueJobCounts?: () => Promise<Record<string, number>>;
  /** Milliseconds spent waiting for the Scalekit rate budget so far (`RateBudget.waitedMs`). */
  rateBudgetWaitedMs?: () => number;
  runStats?: () => Promise<RunStats>;
  /** Reconciles every worker skipped as echoes of orgsync's own writes, as counted in Redis. */
  reconcileEchoes?: () => Promise<number>;
  /** Reconciles every worker ran that changed nothing and failed nothing (not recorded as runs), as counted in Redis. */
  reconcileNoops?: () => Promise<number>;
  /** Notification deliveries of every process by result, as counted in Redis. */
  notificationCounts?: () => Promise<Record<'sent' | 'failed', number>>;
  /** Scalekit calls of every worker, as they flush them to Redis. */
  jobScalekitCalls?: () => Promise<
    readonly { method: string; route: string; status: string; count: number; seconds: number }[]
  >;
}

/** The service's Prometheus metrics, in a registry of their own (never the global one). */
export interface HttpMetrics {
  registry: Registry;
  /** The Scalekit client's `onRequest` hook: one call per attempt. */
  observeScalekitRequest(info: { method: string; routeTemplate: string; status: number; durationMs: number }): void;
  countWebhookDelivery(route: WebhookRouteLabel, outcome: WebhookOutcome): void;
}

/**
 * Creates the registry with the default process metrics and orgsync's own. Label values come from
 * fixed sets (HTTP methods, route templates, statuses, job kinds, actions): never IDs or names.
 * A source that fails during a scrape leaves its metric empty rather than failing `/metrics`.
 */
export function createHttpMetrics(sources: MetricsSources = {}): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const scalekitRequests = new Counter({
    name: 'orgsync_scalekit_requests_total',
    help: 'Scalekit API requests (attempts) by method, route template and HTTP status (0: no response)',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const scalekitDuration = new Histogram({
    name: 'orgsync_scalekit_request_duration_seconds',
    help: 'Duration of Scalekit API requests (attempts)',
    labelNames: ['method', 'route'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
    registers: [registry],
  });
  // Both run metrics read the history; one read serves both within a scrape (they are collected concurrently).
  let runStatsRead: { atMs: number; stats: Promise<RunStats | undefined> } | undefined;
  const readRunStats = (): Promise<RunStats | undefined> => {
    const nowMs = Date.now();
    if (runStatsRead === undefined || nowMs - runStatsRead.atMs > 1000) {
      runStatsRead = { atMs: nowMs, stats: sources.runStats?.().catch(() => undefined) ?? Promise.resolve(undefined) };
    }
    return runStatsRead.stats;
  };
  let lastWaitedMs = 0;
  new Counter({
    name: 'orgsync_rate_budget_wait_seconds_total',
    help: 'Time spent waiting for the Scalekit rate budget by this process',
    registers: [registry],
    collect() {
      const waitedMs = sources.rateBudgetWaitedMs?.() ?? 0;
      if (waitedMs > lastWaitedMs) this.inc((waitedMs - lastWaitedMs) / 1000);
      lastWaitedMs = Math.max(lastWaitedMs, waitedMs);
    },
  });
  new Counter({
    name: 'orgsync_runs_total',
    help: 'Finished runs by job kind and result (from the run history in Redis)',
    labelNames: ['kind', 'result'] as const,
    registers: [registry],
    async collect() {
      const stats = await readRunStats();
      this.reset();
      for (const t of stats?.totals ?? []) this.inc({ kind: t.kind, result: t.result }, t.count);
    },
  });
  new Gauge({
    name: 'orgsync_drift_items',
    help: 'Items per action in the newest run of each kind that has a report (from the run history in Redis)',
    labelNames: ['kind', 'action'] as const,
    registers: [registry],
    async collect() {
      const kinds = (await readRunStats())?.kinds ?? [];
      this.reset();
      for (const { kind, drift } of kinds) {
        if (drift === null) continue;
        for (const action of ACTIONS) this.set({ kind, action }, drift[action] ?? 0);
      }
    },
  });
  new Gauge({
    name: 'orgsync_last_run_timestamp_seconds',
    help: 'When the newest run of each kind with each result (ok, drift, failed) finished, in Unix seconds (from the run history in Redis)',
    labelNames: ['kind', 'result'] as const,
    registers: [registry],
    async collect() {
      const kinds = (await readRunStats())?.kinds ?? [];
      this.reset();
      for (const { kind, lastRunAt } of kinds)
        for (const [result, at] of Object.entries(lastRunAt)) this.set({ kind, result }, at);
    },
  });
  new Gauge({
    name: 'orgsync_last_success_timestamp_seconds',
    help: 'When the newest run of each kind that did not fail (result ok or drift) finished, in Unix seconds',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      const kinds = (await readRunStats())?.kinds ?? [];
      this.reset();
      for (const { kind, lastSuccessAt } of kinds) if (lastSuccessAt !== null) this.set({ kind }, lastSuccessAt);
    },
  });
  new Histogram({
    name: 'orgsync_run_duration_seconds',
    help: 'Durations of the runs the run history holds, by kind (rebuilt from Redis on each scrape)',
    labelNames: ['kind'] as const,
    buckets: RUN_DURATION_BUCKETS,
    registers: [registry],
    async collect() {
      const kinds = (await readRunStats())?.kinds ?? [];
      this.reset();
      for (const { kind, durationsSeconds } of kinds)
        for (const seconds of durationsSeconds) this.observe({ kind }, seconds);
    },
  });
  new Counter({
    name: 'orgsync_notifications_total',
    help: 'Run notifications POSTed to ORGSYNC_NOTIFY_URL by every process, by result (sent, failed; one per URL)',
    labelNames: ['result'] as const,
    registers: [registry],
    async collect() {
      const counts = await sources.notificationCounts?.().catch(() => undefined);
      this.reset();
      if (counts === undefined) return;
      for (const result of ['sent', 'failed'] as const) this.inc({ result }, counts[result]);
    },
  });
  new Gauge({
    name: 'orgsync_queue_jobs',
    help: 'Jobs in the queue by state (BullMQ counts, read on scrape)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const counts = await sources.queueJobCounts?.().catch(() => undefined);
      this.reset();
      for (const [state, n] of Object.entries(counts ?? {})) this.set({ state }, n);
    },
  });
  // The workers' calls: totals kept in Redis by every worker (the same on every instance of serve).
  let jobCallsRead: { atMs: number; calls: ReturnType<NonNullable<MetricsSources['jobScalekitCalls']>> } | undefined;
  const readJobCalls = () => {
    const nowMs = Date.now();
    if (jobCallsRead === undefined || nowMs - jobCallsRead.atMs > 1000) {
      jobCallsRead = { atMs: nowMs, calls: sources.jobScalekitCalls?.().catch(() => []) ?? Promise.resolve([]) };
    }
    return jobCallsRead.calls;
  };
  new Counter({
    name: 'orgsync_jobs_scalekit_requests_total',
    help: 'Scalekit API requests (attempts) made by every worker, by method, route template and HTTP status (0: no response)',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
    async collect() {
      const calls = await readJobCalls();
      this.reset();
      for (const c of calls) this.inc({ method: c.method, route: c.route, status: c.status }, c.count);
    },
  });
  new Counter({
    name: 'orgsync_jobs_scalekit_request_seconds_total',
    help: 'Time every worker spent in Scalekit API requests, by method and route template',
    labelNames: ['method', 'route'] as const,
    registers: [registry],
    async collect() {
      const calls = await readJobCalls();
      this.reset();
      for (const c of calls) this.inc({ method: c.method, route: c.route }, c.seconds);
    },
  });
  new Counter({
    name: 'orgsync_reconcile_echoes_total',
    help: "Scalekit events that echoed orgsync's own write: skipped by every worker, with no write and no run",
    registers: [registry],
    async collect() {
      const echoes = await sources.reconcileEchoes?.().catch(() => undefined);
      this.reset();
      if (echoes !== undefined) this.inc(echoes);
    },
  });
  new Counter({
    name: 'orgsync_reconcile_noop_total',
    help: 'Reconciles that changed nothing and failed nothing, run by every worker: counted here, not recorded as runs',
    registers: [registry],
    async collect() {
      const noops = await sources.reconcileNoops?.().catch(() => undefined);
      this.reset();
      if (noops !== undefined) this.inc(noops);
    },
  });
  const webhookDeliveries = new Counter({
    name: 'orgsync_webhook_deliveries_total',
    help: 'Webhook deliveries by route and outcome',
    labelNames: ['route', 'outcome'] as const,
    registers: [registry],
  });

  return {
    registry,
    observeScalekitRequest(info) {
      const labels = { method: info.method, route: info.routeTemplate };
      scalekitRequests.inc({ ...labels, status: String(info.status) });
      scalekitDuration.observe(labels, info.durationMs / 1000);
    },
    countWebhookDelivery(route, outcome) {
      webhookDeliveries.inc({ route, outcome });
    },
  };
}
