import { parseArgs } from 'node:util';
import { SCENARIO_NAMES, type BenchSize, type ScenarioName } from './scenarios.js';

/** `npm run bench -- [flags]`, parsed. */
export interface BenchArgs {
  size: BenchSize;
  /** `--target URL`: a Scalekit-compatible environment instead of our own emulator. */
  targetUrl: string | null;
  scenarios: ScenarioName[];
  /** Added by our emulator to every response, in ms (`--latency-ms`, default 20). */
  latencyMs: number;
  /** The rate budget in requests per second (`--rate-limit`, default 200). */
  ratePerSecond: number;
  /** Writes in flight per orgsync run (`--concurrency`, default 8, orgsync's default). */
  concurrency: number;
  /** `--profile cpu|heap`: profile every measured child into this directory (`--profile-dir`, default bench/profiles). */
  profile: 'cpu' | 'heap' | null;
  profileDir: string;
  /**
   * `--redis-cluster`: the queued scenario runs on a private 3-master Redis Cluster the bench starts
   * (ORGSYNC_REDIS_MODE=cluster); without it, on REDIS_URL in ORGSYNC_REDIS_MODE (default standalone).
   */
  redisCluster: boolean;
}

export const USAGE = `usage: node dist/bench/run.js [--quick | --full] [--target URL] [--scenario NAME[,NAME]]
       [--latency-ms N] [--rate-limit RPS] [--concurrency N] [--profile cpu|heap] [--profile-dir DIR]
       [--redis-cluster]
scenarios: ${SCENARIO_NAMES.join(', ')}
--target needs SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET in the environment.`;

function positive(name: string, raw: string | undefined, fallback: number, problems: string[]): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!(Number.isFinite(n) && n >= 0))
    problems.push(`--${name}: expected a non-negative number, got ${JSON.stringify(raw)}`);
  return n;
}

/** `--help` / `-h` among the flags: print the usage and run nothing. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** Parses the flags strictly; throws an Error listing every problem, with the usage. */
export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      full: { type: 'boolean' },
      quick: { type: 'boolean' },
      target: { type: 'string' },
      scenario: { type: 'string', multiple: true },
      'latency-ms': { type: 'string' },
      'rate-limit': { type: 'string' },
      concurrency: { type: 'string' },
      profile: { type: 'string' },
      'profile-dir': { type: 'string' },
      'redis-cluster': { type: 'boolean' },
    },
  });
  const problems: string[] = [];
  if (values.full && values.quick) problems.push('give --full or --quick, not both');
  const names = (values.scenario ?? [])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(SCENARIO_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) problems.push(`--scenario: unknown ${unknown.join(', ')}`);
  if (values.profile !== undefined && values.profile !== 'cpu' && values.profile !== 'heap')
    problems.push('--profile: expected cpu or heap');
  if (values.target !== undefined && !/^https?:\/\//.test(values.target))
    problems.push('--target: expected an http(s) URL');
  const args: BenchArgs = {
    size: values.full ? 'full' : 'quick',
    targetUrl: values.target ?? null,
    scenarios: names.length === 0 ? [...SCENARIO_NAMES] : SCENARIO_NAMES.filter((n) => names.includes(n)),
    latencyMs: positive('latency-ms', values['latency-ms'], 20, problems),
    ratePerSecond: positive('rate-limit', values['rate-limit'], 200, problems),
    concurrency: positive('concurrency', values.concurrency, 8, problems),
    profile: values.profile === 'cpu' || values.profile === 'heap' ? values.profile : null,
    profileDir: values['profile-dir'] ?? 'bench/profiles',
    redisCluster: values['redis-cluster'] ?? false,
  };
  if (args.ratePerSecond <= 0) problems.push('--rate-limit must be above 0');
  if (!Number.isInteger(args.concurrency) || args.concurrency < 1)
    problems.push('--concurrency must be a whole number >= 1');
  if (problems.length > 0) throw new Error(`${problems.join('\n')}\n${USAGE}`);
  return args;
}
