import { pino } from 'pino';
import { createScalekitClient } from '../src/scalekit/client.js';
import { createTokenBucket } from '../src/scalekit/token-bucket.js';
import type { DatasetSpec } from './dataset.js';
import { startEmulatorChild, type EmulatorHandle, type ServerCounts } from './emulator-handle.js';
import { seedRemoteTarget } from './remote-seed.js';

/** Where the measured runs send their requests. */
export interface BenchTarget {
  /** `emulator` (our own, in a child process) or `remote` (`--target URL`). */
  kind: 'emulator' | 'remote';
  url(): string;
  clientId: string;
  clientSecret: string;
  /** Sets up the environment a scenario starts from. */
  prepare(spec: DatasetSpec): Promise<void>;
  /** Returns the environment to the prepared state before a run (admin reset, or API writes on a remote). */
  reset(): Promise<void>;
  /** Request counts at the target's end since the last reset; null when the target cannot tell. */
  counts(): Promise<ServerCounts | null>;
  close(): Promise<void>;
}

/** Settings shared by both kinds of target. */
export interface TargetOptions {
  latencyMs: number;
  /** The emulator's own limit, a little above the budget; null = none. */
  serverRateLimit: number | null;
  /** Pace of a remote seeding, in requests per second. */
  ratePerSecond: number;
}

const EMULATOR_CREDENTIALS = { clientId: 'bench-client', clientSecret: 'bench-secret' };

/** Our own emulator, restarted per scenario with that scenario's seed. */
export function emulatorTarget(options: TargetOptions): BenchTarget {
  let handle: EmulatorHandle | undefined;
  const current = (): EmulatorHandle => {
    if (!handle) throw new Error('bench target used before prepare()');
    return handle;
  };
  return {
    kind: 'emulator',
    ...EMULATOR_CREDENTIALS,
    url: () => current().url,
    async prepare(spec) {
      await handle?.close();
      handle = await startEmulatorChild({
        spec,
        latencyMs: options.latencyMs,
        rateLimitPerSecond: options.serverRateLimit,
        ...EMULATOR_CREDENTIALS,
      });
    },
    reset: () => current().reset(),
    counts: () => current().counts(),
    async close() {
      await handle?.close();
      handle = undefined;
    },
  };
}

/** Any Scalekit-compatible URL; seeded through its API, counted only by our client. */
export function remoteTarget(
  url: string,
  credentials: { clientId: string; clientSecret: string },
  options: TargetOptions,
): BenchTarget {
  let spec: DatasetSpec | undefined;
  return {
    kind: 'remote',
    ...credentials,
    url: () => url,
    async prepare(next) {
      spec = next;
    },
    async reset() {
      if (!spec) throw new Error('bench target used before prepare()');
      const client = createScalekitClient({
        environmentUrl: url,
        ...credentials,
        rateBudget: createTokenBucket({ ratePerSecond: options.ratePerSecond }),
        logger: pino({ level: 'warn' }),
      });
      try {
        const seeded = await seedRemoteTarget(client, spec);
        process.stderr.write(
          `  seeded ${url}: ${seeded.created} created, ${seeded.updated} reset, ${seeded.deleted} deleted (${client.stats().apiCalls} calls, not measured)\n`,
        );
      } finally {
        await client.close();
      }
    },
    counts: async () => null,
    close: async () => undefined,
  };
}
