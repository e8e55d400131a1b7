import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { EmulatorSeed } from '../../src/emulator/seed-schema.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import type { Report } from '../../src/engine/types.js';

export interface CliEmulatorOptions {
  /** A fresh emulator and folder for each test, or one for the whole file. */
  per: 'test' | 'file';
  /** The temporary folder's name prefix. */
  dirPrefix: string;
  /** The emulator's seed: Scalekit as each test finds it. */
  seed?: EmulatorSeed;
  /** The client credentials the emulator checks and the CLI is given; default `cli-id` / `cli-secret`. */
  clientId?: string;
  clientSecret?: string;
}

/** The emulator as Scalekit, the CLI's environment for it, and a private folder for CSVs and reports. */
export interface CliEmulator {
  readonly emulator: RunningEmulator;
  readonly dir: string;
  /** SCALEKIT_* for the emulator and ORGSYNC_RATE_LIMIT=500: the `env` for `runCli`. */
  readonly env: Record<string, string>;
  /** Writes `text` to `name` in the folder and returns the file's path. */
  csv(name: string, text: string | Buffer): Promise<string>;
  /** The `report.json` a run wrote to `reportDir`. */
  reportIn(reportDir: string): Promise<Report>;
}

/**
 * Registers the hooks that start the emulator and make the folder before each test (or the file's
 * tests), and close and remove them after.
 */
export function useCliEmulator(options: CliEmulatorOptions): CliEmulator {
  const clientId = options.clientId ?? 'cli-id';
  const clientSecret = options.clientSecret ?? 'cli-secret';
  let started: { emulator: RunningEmulator; dir: string; env: Record<string, string> } | undefined;
  const current = () => {
    if (!started) throw new Error('useCliEmulator: used outside a test of the file that called it');
    return started;
  };
  const [before, after] = options.per === 'test' ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    const emulator = await startEmulator({ port: 0, clientId, clientSecret, seed: options.seed });
    const dir = await mkdtemp(join(tmpdir(), options.dirPrefix));
    const env = {
      SCALEKIT_ENVIRONMENT_URL: emulator.url,
      SCALEKIT_CLIENT_ID: clientId,
      SCALEKIT_CLIENT_SECRET: clientSecret,
      ORGSYNC_RATE_LIMIT: '500',
    };
    started = { emulator, dir, env };
  });
  after(async () => {
    if (!started) return;
    const { emulator, dir } = started;
    started = undefined;
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    get emulator() {
      return current().emulator;
    },
    get dir() {
      return current().dir;
    },
    get env() {
      return current().env;
    },
    async csv(name, text) {
      const path = join(current().dir, name);
      await writeFile(path, text);
      return path;
    },
    async reportIn(reportDir) {
      return JSON.parse(await readFile(join(reportDir, 'report.json'), 'utf8')) as Report;
    },
  };
}
