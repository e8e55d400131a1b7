import { z } from 'zod';
import { columnMapSetting, crossFieldProblems } from './config-rules.js';
import { ConfigError } from './errors.js';

/**
 * The only reader of `process.env`. Every setting has one environment variable (the names of
 * design section 3) and, where it makes sense, a CLI flag; flags override the environment and
 * both pass through one zod schema. Every invalid or missing setting is reported at once.
 */

const DEFAULT_REGIONS = 'us-east,us-west,eu-west,eu-central,ap-south,ap-southeast';
const DEFAULT_METADATA_KEYS = 'invoice_email,billing_plan,billing_currency,tax_id';

const list = (what: string, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) =>
      s
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p.length > 0),
    )
    .refine((items) => items.length > 0, `expected a comma-separated list of ${what}`);

const positiveInt = (what: string) =>
  z.coerce
    .number({ error: `expected ${what}` })
    .int(`expected ${what}`)
    .positive(`expected ${what}`);

const DURATION_UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** `5m`, `30s`, `0s`, `1h30m`, `500ms` in milliseconds; undefined for anything else. */
function durationMs(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (!/^(\d+(ms|h|m|s))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)(ms|h|m|s)/g))
    total += Number(amount) * (DURATION_UNIT_MS[unit ?? ''] ?? 0);
  return total;
}

const httpUrl = z
  .string()
  .trim()
  .refine(
    (s) => /^https?:\/\/[^\s]+$/i.test(s) && URL.canParse(s),
    'expected an http(s) URL such as https://acme.scalekit.dev',
  )
  .transform((s) => s.replace(/\/+$/, ''));

const whsec = z
  .string()
  .refine(
    (s) => /^whsec_[A-Za-z0-9+/=]{8,}$/.test(s),
    'expected a Standard Webhooks secret of the form whsec_<base64>',
  );

const port = z
  .string()
  .refine((s) => {
    const n = Number(s);
    return s.trim() !== '' && Number.isInteger(n) && n >= 0 && n <= 65535;
  }, 'expected a port 0-65535')
  .transform(Number);

/** `ORGSYNC_REDIS_MODE`. */
export const REDIS_MODES = ['standalone', 'cluster', 'sentinel'] as const;
export type RedisMode = (typeof REDIS_MODES)[number];

/** The comma-separated parts of `REDIS_URL`, trimmed, empty ones dropped. */
export function redisUrlParts(redisUrl: string): string[] {
  return redisUrl
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/**
 * What is wrong with `REDIS_URL` for `mode`, or undefined. Never quotes the value (it may hold a
 * password): the position of the bad part is enough to find it.
 */
export function redisUrlProblem(redisUrl: string, mode: RedisMode): string | undefined {
  const parts = redisUrlParts(redisUrl);
  if (parts.length === 0) return 'expected a redis:// or rediss:// URL';
  if (mode === 'standalone' && parts.length > 1)
    return 'expected one URL in standalone mode (several comma-separated URLs need ORGSYNC_REDIS_MODE=cluster or sentinel)';
  for (const [index, part] of parts.entries()) {
    const which = parts.length > 1 ? `URL ${index + 1} of ${parts.length}` : 'the URL';
    if (!/^rediss?:\/\//i.test(part) || !URL.canParse(part))
      return `${which} is not a redis:// or rediss:// URL (e.g. redis://127.0.0.1:6379 or rediss://user:password@host:6380)`;
    const url = new URL(part);
    if (url.hostname === '') return `${which} has no host`;
    const db = url.pathname.replace(/^\//, '');
    if (db !== '' && !/^\d+$/.test(db)) return `${which}: the path must be a database number, e.g. /0`;
    if (db !== '' && Number(db) !== 0 && mode === 'cluster') return `${which}: a Redis Cluster has only database 0`;
  }
  return undefined;
}

/**
 * Every setting: its environment variable (`env`) or, for a setting given only on the command line,
 * its flag (`flag`); its schema, whether it is a secret, and what it is for.
 */
export const SETTINGS = {
  scalekitEnvironmentUrl: {
    env: 'SCALEKIT_ENVIRONMENT_URL',
    schema: httpUrl.optional(),
    help: 'your Scalekit environment URL, e.g. https://acme.scalekit.dev',
  },
  scalekitClientId: {
    env: 'SCALEKIT_CLIENT_ID',
    schema: z.string().trim().min(1).optional(),
    help: 'the API client ID from Scalekit (Settings > API credentials)',
  },
  scalekitClientSecret: {
    env: 'SCALEKIT_CLIENT_SECRET',
    schema: z.string().min(1).optional(),
    secret: true,
    help: 'the API client secret from Scalekit',
  },
  redisUrl: {
    env: 'REDIS_URL',
    schema: z
      .string()
      .trim()
      .regex(/^rediss?:\/\//i, 'expected a redis:// or rediss:// URL')
      .default('redis://127.0.0.1:6379'),
    secret: true,
    help: 'Redis for queues, locks, run history: redis[s]://[user:password@]host:port[/db]; in cluster mode the seed nodes, in sentinel mode the sentinels, comma-separated',
  },
  redisMode: {
    env: 'ORGSYNC_REDIS_MODE',
    schema: z.enum(REDIS_MODES, { error: `expected one of ${REDIS_MODES.join(', ')}` }).default('standalone'),
    help: 'standalone (one server), cluster (a Redis Cluster; REDIS_URL = seed nodes) or sentinel (REDIS_URL = the sentinels)',
  },
  redisSentinelName: {
    env: 'ORGSYNC_REDIS_SENTINEL_NAME',
    schema: z.string().trim().min(1).optional(),
    help: "sentinel mode: the master's name in the sentinels' configuration, e.g. mymaster",
  },
  redisSentinelPassword: {
    env: 'ORGSYNC_REDIS_SENTINEL_PASSWORD',
    schema: z.string().min(1).optional(),
    secret: true,
    help: "sentinel mode: the sentinels' own password, when they require one (the master's is in REDIS_URL)",
  },
  redisTlsCa: {
    env: 'ORGSYNC_REDIS_TLS_CA',
    schema: z.string().trim().min(1).optional(),
    help: 'rediss:// only: path of a PEM file with the CA that signed the Redis certificates (default: the system trust store)',
  },
  redisTimeoutMs: {
    env: 'ORGSYNC_REDIS_TIMEOUT_MS',
    schema: z.coerce
      .number({ error: 'expected milliseconds, e.g. 20000' })
      .int('expected a whole number of milliseconds')
      .min(500, 'expected at least 500 milliseconds')
      .max(600_000, 'expected at most 600000 milliseconds (10 minutes)')
      .default(20_000),
    help: 'orgsync enqueue, runs and serve: how long a Redis command waits for Redis to come back (a restart) before it fails',
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    schema: z
      .string()
      .trim()
      .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
      .optional(),
    secret: true,
    help: 'PostgreSQL of the postgres: source',
  },
  source: {
    env: 'ORGSYNC_SOURCE',
    schema: z.string().trim().min(1).optional(),
    help: 'the host source: csv:PATH, a *.csv path, postgres:[TABLE], or an http(s):// URL',
  },
  pgQuery: {
    env: 'ORGSYNC_PG_QUERY',
    schema: z.string().trim().min(1).optional(),
    help: 'SQL returning the accounts, for postgres:',
  },
  sourceToken: {
    env: 'ORGSYNC_SOURCE_TOKEN',
    schema: z.string().min(1).optional(),
    secret: true,
    help: 'bearer token of an http(s) source',
  },
  sinceOverlapMs: {
    env: 'ORGSYNC_SINCE_OVERLAP',
    schema: z
      .string()
      .default('5m')
      .transform((s) => durationMs(s))
      .refine((ms) => ms !== undefined, 'expected a duration such as 5m, 30s or 0s (units h, m, s, ms)')
      .transform((ms) => ms ?? 0),
    help: '--since last re-reads from the watermark minus this, for transactions that commit late',
  },
  sourceMaxPageBytes: {
    env: 'ORGSYNC_SOURCE_MAX_PAGE_BYTES',
    schema: positiveInt('a whole number of bytes, e.g. 16777216 (16 MiB)').default(16 * 1024 * 1024),
    help: 'largest page an http(s) source may send',
  },
  sourceMaxPages: {
    env: 'ORGSYNC_SOURCE_MAX_PAGES',
    schema: positiveInt('a whole number of pages, e.g. 10000').default(10_000),
    help: 'most pages an http(s) source may send in one run (a `next` that never ends fails the run)',
  },
  region: {
    env: 'ORGSYNC_REGION',
    schema: z.string().optional(),
    help: 'give every record of the source this region, like --region (the region column is then not needed); one of ORGSYNC_REGIONS',
  },
  csvDelimiter: {
    env: 'ORGSYNC_CSV_DELIMITER',
    schema: z.string().optional(),
    help: 'CSV delimiter, like --delimiter: , ; | or tab (default: detected from the header)',
  },
  csvEncoding: {
    env: 'ORGSYNC_CSV_ENCODING',
    schema: z.string().trim().min(1).optional(),
    help: 'CSV encoding when not UTF-8, like --encoding (e.g. windows-1252, latin1, utf-16le)',
  },
  columnMap: {
    env: 'ORGSYNC_COLUMN_MAP',
    schema: columnMapSetting.optional(),
    help: "the source's column for each of orgsync's fields, like --map: FIELD=SOURCE_COLUMN,... e.g. display_name=company_name,invoice_email=billing_email",
  },
  regions: {
    env: 'ORGSYNC_REGIONS',
    schema: list('regions', DEFAULT_REGIONS).transform((r) => r.map((x) => x.toLowerCase())),
    help: 'allowed regions',
  },
  metadataKeys: {
    env: 'ORGSYNC_METADATA_KEYS',
    schema: list('metadata keys', DEFAULT_METADATA_KEYS)
      .refine(
        (keys) => keys.every((k) => k.length >= 3 && k.length <= 25),
        'every key must be 3-25 characters (a Scalekit limit)',
      )
      .refine((keys) => keys.length <= 10, 'at most 10 keys (Scalekit allows 10 metadata pairs per organization)'),
    help: 'metadata keys orgsync owns',
  },
  rateLimit: {
    env: 'ORGSYNC_RATE_LIMIT',
    schema: z.coerce
      .number({ error: 'expected requests per second, e.g. 10' })
      .positive('expected requests per second greater than 0')
      .default(10),
    help: 'Scalekit requests per second, shared by every process',
  },
  concurrency: {
    env: 'ORGSYNC_CONCURRENCY',
    schema: positiveInt('a whole number of requests in flight, e.g. 8').max(256).default(8),
    help: 'writes in flight per run',
  },
  requestTimeoutMs: {
    env: 'ORGSYNC_REQUEST_TIMEOUT_MS',
    schema: positiveInt('milliseconds').default(20_000),
    help: 'timeout of one Scalekit request',
  },
  deleteMaxCount: {
    env: 'ORGSYNC_DELETE_MAX_COUNT',
    schema: z.coerce.number().int().nonnegative().default(10),
    help: 'deletes are withheld when more than this many AND more than ORGSYNC_DELETE_MAX_PERCENT would go',
  },
  deleteMaxPercent: {
    env: 'ORGSYNC_DELETE_MAX_PERCENT',
    schema: z.coerce.number().min(0).max(100).default(10),
    help: 'percent of managed organizations',
  },
  deleteBlockOnInvalid: {
    env: 'ORGSYNC_DELETE_BLOCK_ON_INVALID',
    schema: z.stringbool({ error: 'expected true or false' }).default(true),
    help: 'true: while any row of a run is invalid or in conflict, --allow-delete deletes nothing',
  },
  webhookSecret: {
    env: 'ORGSYNC_WEBHOOK_SECRET',
    schema: whsec.optional(),
    secret: true,
    help: 'secret of host-system webhooks (whsec_...)',
  },
  scalekitWebhookSecret: {
    env: 'SCALEKIT_WEBHOOK_SECRET',
    schema: whsec.optional(),
    secret: true,
    help: "secret of Scalekit's webhooks (whsec_...)",
  },
  httpHost: {
    env: 'ORGSYNC_HTTP_HOST',
    schema: z.string().trim().min(1).default('127.0.0.1'),
    help: 'orgsync serve: host',
  },
  httpPort: {
    env: 'ORGSYNC_HTTP_PORT',
    schema: z.coerce.number().int().min(0).max(65535).default(8080),
    help: 'orgsync serve: port',
  },
  adminUser: {
    env: 'ORGSYNC_ADMIN_USER',
    schema: z.string().min(1).optional(),
    help: 'basic-auth user of /admin/queues and /runs',
  },
  adminPassword: {
    env: 'ORGSYNC_ADMIN_PASSWORD',
    schema: z.string().min(1).optional(),
    secret: true,
    help: 'basic-auth password',
  },
  adminReadOnly: {
    env: 'ORGSYNC_ADMIN_READ_ONLY',
    schema: z.stringbool({ error: 'expected true or false' }).default(true),
    help: 'false lets the dashboard retry, remove and promote jobs',
  },
  nightlyAllowDelete: {
    env: 'ORGSYNC_NIGHTLY_ALLOW_DELETE',
    schema: z.stringbool({ error: 'expected true or false' }).default(false),
    help: 'true: the nightly sync (full scope) deletes orphans, like apply --scope full --allow-delete, through the same safeguards',
  },
  nightlyAdopt: {
    env: 'ORGSYNC_NIGHTLY_ADOPT',
    schema: z.stringbool({ error: 'expected true or false' }).default(false),
    help: 'true: the nightly sync links adoptable organizations, like apply --adopt',
  },
  nightlyCron: {
    env: 'ORGSYNC_NIGHTLY_CRON',
    schema: z.string().trim().min(1).default('0 2 * * *'),
    help: 'cron of the nightly sync',
  },
  nightlyTimeZone: {
    env: 'ORGSYNC_NIGHTLY_TZ',
    schema: z.string().trim().min(1).default('UTC'),
    help: 'time zone of the nightly cron',
  },
  reconcileDelayMs: {
    env: 'ORGSYNC_RECONCILE_DELAY_MS',
    schema: z.coerce
      .number({ error: 'expected milliseconds, e.g. 1000' })
      .int('expected a whole number of milliseconds')
      .min(0, 'expected 0 or more milliseconds')
      .max(60_000, 'expected at most 60000 milliseconds')
      .default(1_000),
    help: 'a reconcile waits this long for more deliveries about the same account (each one restarts the wait; 0 = none)',
  },
  notifyUrls: {
    env: 'ORGSYNC_NOTIFY_URL',
    schema: z
      .string()
      .optional()
      .transform((s) =>
        (s ?? '')
          .split(',')
          .map((p) => p.trim())
          .filter((p) => p.length > 0),
      )
      .refine(
        (urls) => urls.every((u) => /^https?:\/\/[^\s]+$/i.test(u) && URL.canParse(u)),
        'expected one http(s) URL, or several separated by commas',
      ),
    // A chat webhook URL carries its token in the path: never echoed.
    secret: true,
    help: 'where run notifications are POSTed (one URL, or several separated by commas)',
  },
  notifyOn: {
    env: 'ORGSYNC_NOTIFY_ON',
    schema: z.enum(['failure', 'drift', 'always'], { error: 'expected failure, drift or always' }).default('failure'),
    help: 'which runs are notified: failure (a run that failed), drift (also a run that changed or found something), always',
  },
  notifySecret: {
    env: 'ORGSYNC_NOTIFY_SECRET',
    schema: whsec.optional(),
    secret: true,
    help: 'signs notifications in the Standard Webhooks scheme (whsec_...)',
  },
  publicUrl: {
    env: 'ORGSYNC_PUBLIC_URL',
    schema: httpUrl.optional(),
    help: 'where orgsync serve is reached, e.g. https://orgsync.example.com: notifications link to its run pages',
  },
  queueName: {
    env: 'ORGSYNC_QUEUE',
    flag: '--queue',
    schema: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected a queue name of letters, digits, - and _ (at most 64)')
      .default('orgsync'),
    help: 'the BullMQ queue workers take jobs from; enqueue, retry, runs, serve and apply (its run record) use the same',
  },
  runHistory: {
    env: 'ORGSYNC_RUN_HISTORY',
    schema: positiveInt('a number of runs').default(100),
    help: 'runs kept in Redis of each kind (nightly-sync, bulk-import, reconcile, retry, cli-apply)',
  },
  logLevel: {
    env: 'ORGSYNC_LOG_LEVEL',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    help: 'log level',
  },
  workerConcurrency: {
    flag: '--concurrency',
    schema: positiveInt('a whole number greater than 0').default(2),
    help: 'orgsync worker: jobs this process runs at once',
  },
  workerShutdownTimeoutMs: {
    flag: '--shutdown-timeout-ms',
    schema: positiveInt('a whole number greater than 0').default(30_000),
    help: 'orgsync worker: how long running jobs may finish after SIGTERM/SIGINT',
  },
  workerLockDurationMs: {
    env: 'ORGSYNC_WORKER_LOCK_DURATION_MS',
    schema: z.coerce
      .number({ error: 'expected milliseconds, e.g. 15000' })
      .int('expected a whole number of milliseconds')
      .min(1_000, 'expected at least 1000 milliseconds')
      .max(600_000, 'expected at most 600000 milliseconds (10 minutes)')
      .default(15_000),
    help: "orgsync worker: a job's lock (BullMQ lockDuration), renewed every half of it; a worker whose event loop stalls longer loses the job to another worker",
  },
  workerStalledIntervalMs: {
    env: 'ORGSYNC_WORKER_STALLED_INTERVAL_MS',
    schema: z.coerce
      .number({ error: 'expected milliseconds, e.g. 10000' })
      .int('expected a whole number of milliseconds')
      .min(1_000, 'expected at least 1000 milliseconds')
      .max(600_000, 'expected at most 600000 milliseconds (10 minutes)')
      .default(10_000),
    help: "orgsync worker: how often a dead worker's jobs are looked for (BullMQ stalledInterval); a dead worker's job is taken over within lock duration + this",
  },
  workerHealthPort: {
    flag: '--health-port',
    schema: port.optional(),
    help: 'orgsync worker: port of GET /healthz',
  },
} as const;

type Settings = typeof SETTINGS;
export type SettingName = keyof Settings;
/** The parsed configuration. */
export type Config = { [K in SettingName]: z.output<Settings[K]['schema']> };

/** Settings a command cannot run without; reported together with every invalid one. */
export type Requirement = SettingName;

/** A configuration in which the settings `R` are present: the type says so, nobody checks again. */
export type ConfigWith<R extends SettingName> = Config & { [K in R]-?: NonNullable<Config[K]> };

export interface LoadConfigOptions<R extends Requirement = never> {
  /** Usually `process.env`; tests pass their own. */
  env?: Record<string, string | undefined>;
  /** Values from CLI flags, keyed by setting name; `undefined` means "not given". */
  flags?: Partial<Record<SettingName, unknown>>;
  /** Settings that must be present for this command (the result's type then has them). */
  require?: readonly R[];
  /** Used in "required for ..." messages, e.g. `orgsync plan`. */
  command?: string;
}

/**
 * Parses and checks every setting; throws one `ConfigError` listing every problem, each by the name
 * of its environment variable (or of its flag).
 */
export function loadConfig<R extends Requirement = never>(options: LoadConfigOptions<R> = {}): ConfigWith<R> {
  const env = options.env ?? process.env;
  const flags = options.flags ?? {};
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(SETTINGS) as [SettingName, Settings[SettingName]][]) {
    const flag = flags[name];
    const fromEnv = 'env' in setting ? env[setting.env] : undefined;
    const raw = flag !== undefined ? flag : fromEnv === '' ? undefined : fromEnv;
    const parsed = setting.schema.safeParse(raw);
    if (parsed.success) {
      out[name] = parsed.data;
      continue;
    }
    const issue = parsed.error.issues[0]?.message ?? 'invalid value';
    const shown = 'secret' in setting && setting.secret ? '' : ` (got ${JSON.stringify(String(raw)).slice(0, 60)})`;
    problems.push(`${settingLabel(setting)}: ${issue}${shown} — ${setting.help}`);
  }
  problems.push(...crossFieldProblems(out, flags));
  for (const name of options.require ?? []) {
    if (out[name] === undefined) {
      const label = settingLabel(SETTINGS[name]);
      const already = problems.some((p) => p.startsWith(`${label}:`));
      if (!already)
        problems.push(
          `${label} is required${options.command ? ` for ${options.command}` : ''} — ${SETTINGS[name].help}`,
        );
    }
  }
  problems.push(...redisProblems(out, problems));
  if (problems.length > 0) throw new ConfigError(problems);
  // Safe: every key of SETTINGS was parsed by its own schema above, and every required one is present.
  return out as ConfigWith<R>;
}

/**
 * The Redis settings checked together: REDIS_URL's form depends on ORGSYNC_REDIS_MODE, and sentinel
 * mode needs the master's name. Skipped for a setting that already has a problem of its own.
 */
function redisProblems(out: Record<string, unknown>, already: readonly string[]): string[] {
  const { redisUrl, redisMode, redisSentinelName } = out;
  if (already.some((p) => p.startsWith('REDIS_URL') || p.startsWith('ORGSYNC_REDIS_MODE'))) return [];
  if (typeof redisUrl !== 'string' || typeof redisMode !== 'string') return [];
  const problems: string[] = [];
  const mode = REDIS_MODES.find((m) => m === redisMode) ?? 'standalone';
  const urlProblem = redisUrlProblem(redisUrl, mode);
  if (urlProblem !== undefined) problems.push(`REDIS_URL: ${urlProblem} — ${SETTINGS.redisUrl.help}`);
  if (mode === 'sentinel' && redisSentinelName === undefined)
    problems.push(
      `ORGSYNC_REDIS_SENTINEL_NAME is required with ORGSYNC_REDIS_MODE=sentinel — ${SETTINGS.redisSentinelName.help}`,
    );
  return problems;
}

/** How messages name a setting: its environment variable, or its flag when it has none. */
function settingLabel(setting: Settings[SettingName]): string {
  return 'env' in setting ? setting.env : setting.flag;
}

/** The settings needed to talk to Scalekit. */
export const SCALEKIT_SETTINGS = [
  'scalekitEnvironmentUrl',
  'scalekitClientId',
  'scalekitClientSecret',
] as const satisfies readonly Requirement[];

/** The configuration of a command that calls Scalekit: `loadConfig({ require: SCALEKIT_SETTINGS })`. */
export type ScalekitConfig = ConfigWith<(typeof SCALEKIT_SETTINGS)[number]>;

/** The process environment, for the CLI entry point to pass down (the only place that reads it). */
export function processEnv(): Record<string, string | undefined> {
  return process.env;
}
