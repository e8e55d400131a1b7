/**
 * `npm run bench`: runs the scenarios against our emulator (or `--target URL`), prints one table
 * and writes bench/results.json. See docs/performance.md for the model and how to read it.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, USAGE, wantsHelp, type BenchArgs } from './args.js';
import { renderCsvReadingTable, runCsvReading, type CsvReadingRow } from './csv-reading.js';
import { runQueueImport } from './queue-import.js';
import type { ResultRow } from './result-row.js';
import { runScenario, type RunSettings } from './run-scenario.js';
import { engineScenario, type ScenarioName } from './scenarios.js';
import { renderNotes, renderTable } from './table.js';
import { emulatorTarget, remoteTarget, type BenchTarget } from './target.js';
import { renderWebhookTable, runWebhookBurst, type WebhookResult } from './webhook-burst.js';
import { loadConfig } from '../src/config.js';
import { describeRedis, redisSettingsOf } from '../src/store/redis-client.js';
import { startRedisCluster, type RedisCluster } from './redis-cluster.js';

const RESULTS_PATH = fileURLToPath(new URL('../../bench/results.json', import.meta.url));

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** The commit measured, `+changes` when src/ or jobs/ differ from it; `unknown` outside a git checkout. */
function codeVersion(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no', '--', 'src', 'jobs') === '' ? '' : '+changes'}`;
  } catch {
    // Not a checkout (e.g. an installed package): the version is simply not known.
    return 'unknown';
  }
}

function makeTarget(args: BenchArgs): BenchTarget {
  // The emulator's own limit sits 10% above the budget: a 429 in the table means we overshot.
  const options = {
    latencyMs: args.latencyMs,
    serverRateLimit: Math.ceil(args.ratePerSecond * 1.1),
    ratePerSecond: args.ratePerSecond,
  };
  if (args.targetUrl === null) return emulatorTarget(options);
  const clientId = process.env.SCALEKIT_CLIENT_ID ?? '';
  const clientSecret = process.env.SCALEKIT_CLIENT_SECRET ?? '';
  if (clientId === '' || clientSecret === '')
    throw new Error('--target needs SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET in the environment');
  return remoteTarget(args.targetUrl, { clientId, clientSecret }, options);
}

async function runOne(
  name: ScenarioName,
  args: BenchArgs,
  target: BenchTarget,
  settings: RunSettings,
): Promise<ResultRow[] | WebhookResult | CsvReading | string> {
  const scenario = engineScenario(name, args.size);
  if (scenario) return runScenario(scenario, target, settings);
  if (name === 'csv-reading') return { csvReading: await runCsvReading(log) };
  if (name === 'bulk-import-queue') return runQueueImport(args.size, target, settings);
  if (args.targetUrl !== null) return `${name}: runs against its own emulator only, not --target`;
  log(`webhook-burst: signed deliveries to orgsync serve, reconciled through the queue (bench/webhooks.ts)`);
  return runWebhookBurst(args.size);
}

/** The csv-reading scenario's rows (no Scalekit calls: a table of its own). */
interface CsvReading {
  csvReading: CsvReadingRow[];
}

async function main(): Promise<number> {
  let args: BenchArgs;
  try {
    if (wantsHelp(process.argv.slice(2))) {
      process.stdout.write(`${USAGE}\nSee docs/performance.md for what each scenario measures.\n`);
      return 0;
    }
    args = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    log(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const execArgv: string[] = [];
  if (args.profile !== null) {
    await mkdir(args.profileDir, { recursive: true });
    execArgv.push(
      args.profile === 'cpu' ? '--cpu-prof' : '--heap-prof',
      `--${args.profile}-prof-dir=${args.profileDir}`,
    );
  }
  let cluster: RedisCluster | null = null;
  if (args.redisCluster && args.scenarios.includes('bulk-import-queue')) {
    cluster = await startRedisCluster({ masters: 3 });
    log(`--redis-cluster: a private 3-master Redis Cluster at ${cluster.redisUrl}`);
  }
  const settings: RunSettings = {
    ratePerSecond: args.ratePerSecond,
    concurrency: args.concurrency,
    child: { execArgv },
    log,
    redis: cluster
      ? { redisUrl: cluster.redisUrl, redisMode: 'cluster' }
      : redisSettingsOf(loadConfig({ env: process.env })),
  };
  const target = makeTarget(args);
  const header =
    `orgsync bench (${args.size}) against ${args.targetUrl ?? `our emulator (latency ${args.latencyMs} ms, 429 above ${Math.ceil(args.ratePerSecond * 1.1)} rps)`}; ` +
    `budget ${args.ratePerSecond} rps, orgsync concurrency ${args.concurrency}; Redis ${describeRedis(settings.redis)}; code ${codeVersion()}, node ${process.version}, ${availableParallelism()} CPUs`;
  log(header);
  const rows: ResultRow[] = [];
  const skipped: string[] = [];
  let webhooks: WebhookResult | null = null;
  let csvReading: CsvReadingRow[] | null = null;
  const startedAt = new Date();
  try {
    for (const name of args.scenarios) {
      const outcome = await runOne(name, args, target, settings);
      if (typeof outcome === 'string') {
        skipped.push(outcome);
        log(outcome);
      } else if (Array.isArray(outcome)) rows.push(...outcome);
      else if ('csvReading' in outcome) csvReading = outcome.csvReading;
      else webhooks = outcome;
    }
  } finally {
    await target.close();
    await cluster?.stop();
  }
  const notes = [renderNotes(rows), ...skipped.map((s) => `skipped ${s}`)].filter(Boolean).join('\n');
  const webhookTable = webhooks
    ? `\n\nwebhook-burst (orgsync serve + queue + worker, loopback):\n\n${renderWebhookTable(webhooks)}`
    : '';
  const csvTable = csvReading
    ? `\n\ncsv-reading (the CSV source alone, one child process per file):\n\n${renderCsvReadingTable(csvReading)}`
    : '';
  const table = rows.length > 0 ? `\n\n${renderTable(rows)}` : '';
  process.stdout.write(`\n${header}${table}\n\n${notes}${webhookTable}${csvTable}\n`);
  const results = {
    started_at: startedAt.toISOString(),
    finished_at: new Date().toISOString(),
    settings: { ...args, node: process.version, cpus: availableParallelism() },
    rows,
    webhooks,
    csv_reading: csvReading,
    skipped,
  };
  await mkdir(dirname(RESULTS_PATH), { recursive: true });
  await writeFile(RESULTS_PATH, `${JSON.stringify(results, null, 2)}\n`);
  log(`results written to ${RESULTS_PATH}`);
  return rows.some((r) => r.notes.some((n) => n.includes('failed'))) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  },
);
