import { InvalidArgumentError, Option, type Command } from 'commander';
import { FAULT_KINDS, type FaultKind, type FaultPhase } from '../emulator/knobs.js';
import { loadSeedFile, startEmulator, type EmulatorOptions } from '../emulator/server.js';
import { OrgsyncError, coerceError } from '../errors.js';
import { createLogger } from '../logger.js';

/** Flags of `orgsync emulator`, as commander parses them. */
interface EmulatorFlags {
  port: number;
  host: string;
  seed?: string;
  latencyMs?: number;
  rateLimit?: number;
  retryAfter: boolean;
  faultRate?: number;
  faultKinds?: FaultKind[];
  faultPhase?: FaultPhase;
  randomSeed?: number;
  clientId?: string;
  clientSecret?: string;
  tokenTtlSeconds?: number;
  logLevel: string;
}

function number(what: string, check: (n: number) => boolean) {
  return (raw: string): number => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || !check(n))
      throw new InvalidArgumentError(`expected ${what}, got ${JSON.stringify(raw)}`);
    return n;
  };
}

function faultKinds(raw: string): FaultKind[] {
  const kinds = raw
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  const known = new Set<string>(FAULT_KINDS);
  const bad = kinds.filter((k) => !known.has(k));
  if (kinds.length === 0 || bad.length > 0)
    throw new InvalidArgumentError(
      `expected a comma-separated list of ${FAULT_KINDS.join(', ')}; unknown: ${bad.join(', ') || '(empty)'}`,
    );
  return FAULT_KINDS.filter((k) => kinds.includes(k));
}

/** Where the command writes and what stops it; tests replace both. */
export interface EmulatorCommandIo {
  /** Receives the base URL as the first line. Default `process.stdout`. */
  stdout?: { write(text: string): unknown };
  /** Resolves when the emulator should stop. Default: the first SIGINT or SIGTERM. */
  untilStopped?: () => Promise<unknown>;
}

/** Resolves when the process gets SIGINT or SIGTERM; removes its listeners then. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/**
 * Adds `orgsync emulator`: a local Scalekit-compatible API. The first line on stdout is its
 * base URL. `getCredentials` gives the client ID and secret it should require (the CLI passes
 * SCALEKIT_CLIENT_ID / SCALEKIT_CLIENT_SECRET); `--client-id` / `--client-secret` override them,
 * and when neither is set any non-empty pair is accepted.
 */
export function registerEmulatorCommand(
  program: Command,
  getCredentials: () => { clientId?: string; clientSecret?: string },
  io: EmulatorCommandIo = {},
): void {
  program
    .command('emulator')
    .description(
      'run a local Scalekit-compatible API (in memory) for tests, demos and benchmarks; prints its URL first',
    )
    .addOption(
      new Option('--port <n>', 'port to listen on (0: any free port)')
        .argParser(number('a port 0-65535', (n) => Number.isInteger(n) && n >= 0 && n <= 65535))
        .default(8787),
    )
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--seed <file>', 'JSON file {"organizations": [...], "directories": [...]} in the API\'s own shapes')
    .addOption(
      new Option('--latency-ms <n>', 'milliseconds added to every API response').argParser(
        number('milliseconds >= 0', (n) => Number.isInteger(n) && n >= 0),
      ),
    )
    .addOption(
      new Option('--rate-limit <n>', 'requests per second across /api/v1; above it: 429 RATE_LIMITED').argParser(
        number('requests per second > 0', (n) => n > 0),
      ),
    )
    .option('--no-retry-after', 'send 429s without a Retry-After header (as real Scalekit may)')
    .addOption(
      new Option('--fault-rate <f>', 'fraction 0..1 of /api/v1 requests that fail with an injected fault').argParser(
        number('a fraction 0..1', (n) => n >= 0 && n <= 1),
      ),
    )
    .addOption(
      new Option(
        '--fault-kinds <list>',
        `comma-separated fault kinds: ${FAULT_KINDS.join(', ')} (default all)`,
      ).argParser(faultKinds),
    )
    .addOption(
      new Option(
        '--fault-phase <phase>',
        'whether a fault strikes a write before it is applied, after it (answer lost), or either',
      ).choices(['before', 'after', 'either']),
    )
    .addOption(
      new Option(
        '--random-seed <n>',
        'seed of the fault draws (same seed + same request order = same faults)',
      ).argParser(number('an integer', Number.isInteger)),
    )
    .option('--client-id <id>', 'client ID /oauth/token requires [default: SCALEKIT_CLIENT_ID; unset: any]')
    .option(
      '--client-secret <secret>',
      'client secret /oauth/token requires [default: SCALEKIT_CLIENT_SECRET; unset: any]',
    )
    .addOption(
      new Option('--token-ttl-seconds <n>', 'lifetime of issued access tokens').argParser(
        number('seconds > 0', (n) => Number.isInteger(n) && n > 0),
      ),
    )
    .addOption(
      new Option('--log-level <level>', 'log level on stderr (debug logs every request)')
        .choices(['silent', 'error', 'warn', 'info', 'debug'])
        .default('info'),
    )
    .action(async (flags: EmulatorFlags) => {
      await runEmulatorCommand(flags, getCredentials, io);
    });
}

/** Why the emulator could not listen, in plain words (no stack trace): a busy port, a bad host. */
function listenError(flags: EmulatorFlags, error: unknown): unknown {
  const code =
    typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
      ? error.code
      : undefined;
  const at = `${flags.host}:${flags.port}`;
  const reason =
    code === 'EADDRINUSE'
      ? 'the port is already in use (another emulator or program listens there); stop it, or pass another --port (--port 0 picks a free one)'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied (ports below 1024 need privileges); pass a --port above 1023, or --port 0'
        : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'no such address on this machine; pass --host 127.0.0.1 or the address of one of its interfaces'
          : undefined;
  if (reason === undefined) return error;
  return new OrgsyncError('ERR_EMULATOR_LISTEN', `the emulator cannot listen on ${at}: ${reason}`, {
    cause: error,
  });
}

async function runEmulatorCommand(
  flags: EmulatorFlags,
  getCredentials: () => { clientId?: string; clientSecret?: string },
  io: EmulatorCommandIo,
): Promise<void> {
  const logger = createLogger({ level: flags.logLevel });
  const configured = flags.clientId !== undefined && flags.clientSecret !== undefined ? {} : getCredentials();
  const options: EmulatorOptions = {
    port: flags.port,
    host: flags.host,
    clientId: flags.clientId ?? configured.clientId,
    clientSecret: flags.clientSecret ?? configured.clientSecret,
    logger,
  };
  if (flags.seed !== undefined) {
    const seedFile = flags.seed;
    options.seed = await loadSeedFile(seedFile).catch((error: unknown) => {
      throw new OrgsyncError('ERR_EMULATOR_SEED', coerceError(error).message, { cause: error });
    });
  }
  if (flags.latencyMs !== undefined) options.latencyMs = flags.latencyMs;
  if (flags.rateLimit !== undefined) options.rateLimit = { perSecond: flags.rateLimit, retryAfter: flags.retryAfter };
  if (flags.faultRate !== undefined) options.faultRate = flags.faultRate;
  if (flags.faultKinds !== undefined) options.faultKinds = flags.faultKinds;
  if (flags.faultPhase !== undefined) options.faultPhase = flags.faultPhase;
  if (flags.randomSeed !== undefined) options.randomSeed = flags.randomSeed;
  if (flags.tokenTtlSeconds !== undefined) options.tokenTtlSeconds = flags.tokenTtlSeconds;
  const emulator = await startEmulator(options).catch((error: unknown) => {
    throw listenError(flags, error);
  });
  const stopped = (io.untilStopped ?? untilSignal)();
  (io.stdout ?? process.stdout).write(`${emulator.url}\n`);
  logger.info(
    { url: emulator.url, organizations: emulator.store.size, knobs: emulator.knobs() },
    'emulator listening; admin routes under /_emulator/',
  );
  const reason = await stopped;
  logger.info({ reason }, 'emulator stopping');
  await emulator.close();
}
