import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import type { EmulatorCounters } from './counters.js';
import type { ScriptedFault } from './faults.js';
import type { EmulatorKnobs, EmulatorKnobsPatch, FaultKind, FaultPhase } from './knobs.js';
import { PendingWork } from './pending-work.js';
import { createRequestHandler, type EmulatorLogger } from './request-handler.js';
import { EmulatorRuntime } from './runtime.js';
import { parseSeed, type EmulatorSeed } from './seed-schema.js';
import { EmulatorStore } from './store.js';

/** Options of `startEmulator`. Knobs can change later with `configure()`. */
export interface EmulatorOptions {
  /** Port to listen on. Default 0 (any free port). */
  port?: number;
  /** Host to bind. Default `127.0.0.1`. */
  host?: string;
  /** Initial organizations and directories; `POST /_emulator/reset` returns to them. */
  seed?: EmulatorSeed;
  /** Added to every API and token response, in milliseconds. Default 0. */
  latencyMs?: number;
  /** Requests per second across /api/v1 (429 RATE_LIMITED above it), with or without `Retry-After`. Default none. */
  rateLimit?: { perSecond: number; retryAfter: boolean } | null;
  /** Fraction (0..1) of /api/v1 requests that fail. Default 0. */
  faultRate?: number;
  /** Which faults: a list (equal weights) or weights per kind. Default all five, equally. */
  faultKinds?: readonly FaultKind[] | Partial<Record<FaultKind, number>>;
  /** Whether a fault strikes before the write is applied, after it (answer lost), or either. Default `either`. */
  faultPhase?: FaultPhase;
  /** Seed of the fault draws: the same seed and request order give the same faults. Default 1. */
  randomSeed?: number;
  /** When set, `/oauth/token` requires this client ID; otherwise any non-empty one is accepted. */
  clientId?: string;
  /** When set, `/oauth/token` requires this secret; otherwise any non-empty one is accepted. */
  clientSecret?: string;
  /** Lifetime of issued tokens, in seconds. Default 86399 (Scalekit's). */
  tokenTtlSeconds?: number;
  /** Clock in epoch milliseconds, for timestamps, token expiry and the rate limit. Default `Date.now`. */
  now?: () => number;
  /** Receives one debug line per request. Default: no logging. */
  logger?: EmulatorLogger;
}

/** A started emulator. */
export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  /** The live state; tests may read and change it directly. */
  store: EmulatorStore;
  /** Request counts so far (a copy). */
  counters(): EmulatorCounters;
  /** Clears the counters. */
  resetCounters(): void;
  /** Changes latency, rate limit or faults; throws a RangeError naming any bad knob. */
  configure(partial: EmulatorKnobsPatch): void;
  /** The knobs in force (a copy). */
  knobs(): EmulatorKnobs;
  /** Makes the next matching request(s) fail in a chosen way, whatever `faultRate` says. */
  injectFault(fault: ScriptedFault): void;
  /** Expires every token issued so far; returns how many. */
  expireTokens(): number;
  /** Stops listening and ends every connection, held ones included. Idempotent. */
  close(): Promise<void>;
}

/** Starts a Scalekit-compatible API on `host:port`. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const now = options.now ?? Date.now;
  const store = new EmulatorStore({ seed: options.seed, now });
  // Checked by the knobs schema in EmulatorRuntime, which throws a RangeError naming each bad one.
  const knobs: Record<string, unknown> = {};
  if (options.latencyMs !== undefined) knobs.latencyMs = options.latencyMs;
  if (options.rateLimit !== undefined) knobs.rateLimit = options.rateLimit;
  if (options.faultRate !== undefined) knobs.faultRate = options.faultRate;
  if (options.faultKinds !== undefined) knobs.faultKinds = options.faultKinds;
  if (options.faultPhase !== undefined) knobs.faultPhase = options.faultPhase;
  if (options.randomSeed !== undefined) knobs.randomSeed = options.randomSeed;
  const tokenTtlSeconds = options.tokenTtlSeconds ?? 86_399;
  if (!(tokenTtlSeconds > 0)) throw new RangeError(`tokenTtlSeconds must be > 0, got ${tokenTtlSeconds}`);
  const credentials = { clientId: options.clientId, clientSecret: options.clientSecret };
  const runtime = new EmulatorRuntime(store, credentials, now, knobs, tokenTtlSeconds);

  const pending = new PendingWork();
  const server = createServer(
    { keepAliveTimeout: 5_000, requestTimeout: 0 },
    createRequestHandler(runtime, pending, options.logger),
  );
  pending.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    store,
    counters: () => runtime.counters.snapshot(),
    resetCounters: () => runtime.counters.reset(),
    configure: (partial) => runtime.configure(partial),
    knobs: () => structuredClone(runtime.knobs),
    injectFault: (fault) => runtime.faults.script(fault),
    expireTokens: () => runtime.tokens.expireAll(),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        pending.closeAll();
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Reads and validates a seed file (`{"organizations": [...], "directories": [...]}`). */
export async function loadSeedFile(path: string): Promise<EmulatorSeed> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(
      `Cannot read the emulator seed file ${path}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `The emulator seed file ${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return parseSeed(value, `seed file ${path}`);
}
