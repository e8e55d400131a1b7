import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach } from 'vitest';
import { requiredColumns } from '../../src/app.js';
import type { DomainRules } from '../../src/domain/types.js';
import type { ApplyOptions } from '../../src/engine/apply.js';
import { runSync, type RunOptions, type RunResult } from '../../src/engine/run.js';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/server.js';
import { createScalekitClient, type ScalekitClient } from '../../src/scalekit/client.js';
import { createTokenBucket } from '../../src/scalekit/token-bucket.js';
import { createCsvSource } from '../../src/sources/csv-source.js';

export const RULES: DomainRules = {
  regions: ['us-east', 'us-west', 'eu-west', 'eu-central', 'ap-south', 'ap-southeast'],
  metadataKeys: ['invoice_email', 'billing_plan', 'billing_currency', 'tax_id'],
};

/** The header of a CSV with every column the engine reads. */
export const CSV_HEADER = 'account_id,region,display_name,invoice_email,billing_plan,billing_currency,tax_id\n';

/** Options for `applyPlan` that allow no delete and no adoption; `overrides` changes some. */
export function applyOptions(overrides: Partial<ApplyOptions> = {}): ApplyOptions {
  return {
    concurrency: 2,
    allowDelete: false,
    adopt: false,
    savedPlan: false,
    deleteMaxCount: 10,
    deleteMaxPercent: 10,
    managedCount: 0,
    ...overrides,
  };
}

export interface Harness {
  emulator: RunningEmulator;
  api: ScalekitClient;
  dir: string;
  /** Writes a CSV into the harness's temp dir and returns its path. */
  csv(name: string, text: string): Promise<string>;
  run(path: string, options: Partial<Omit<RunOptions, 'source'>> & Pick<RunOptions, 'mode'>): Promise<RunResult>;
  /** Organizations in the emulator, by external ID (unlinked ones under their id). */
  state(): Promise<
    Map<string, { id: string; display_name: string; external_id?: string; metadata: Record<string, string> }>
  >;
  close(): Promise<void>;
}

/** An emulator, a real client against it (fast retries), and a temp dir for CSVs. */
export async function startHarness(
  emulatorOptions: EmulatorOptions = {},
  clientOptions: { maxAttempts?: number } = {},
): Promise<Harness> {
  const emulator = await startEmulator({
    port: 0,
    clientId: 'test-client',
    clientSecret: 'test-secret',
    ...emulatorOptions,
  });
  const api = createScalekitClient({
    environmentUrl: emulator.url,
    clientId: 'test-client',
    clientSecret: 'test-secret',
    rateBudget: createTokenBucket({ ratePerSecond: 1000, burst: 100 }),
    timeoutMs: 2000,
    baseDelayMs: 5,
    maxDelayMs: 50,
    maxAttempts: clientOptions.maxAttempts ?? 8,
  });
  const dir = await mkdtemp(join(tmpdir(), 'orgsync-engine-'));
  const logger = pino({ level: 'silent' });
  return {
    emulator,
    api,
    dir,
    async csv(name, text) {
      const path = join(dir, name);
      await writeFile(path, text, 'utf8');
      return path;
    },
    run(path, options) {
      const source = createCsvSource({ path, requiredColumns: requiredColumns(RULES) });
      return runSync(
        { api, logger, rules: RULES },
        {
          scope: 'partial',
          allowDelete: false,
          adopt: false,
          concurrency: 4,
          deleteMaxCount: 10,
          deleteMaxPercent: 10,
          environmentUrl: emulator.url,
          ...options,
          source,
        },
      );
    },
    async state() {
      const response = await fetch(`${emulator.url}/_emulator/state`);
      const body = (await response.json()) as {
        organizations: { id: string; display_name: string; external_id?: string; metadata: Record<string, string> }[];
      };
      return new Map(body.organizations.map((o) => [o.external_id ?? o.id, o]));
    },
    async close() {
      await api.close();
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Registers an `afterEach` that closes every harness the returned function started during the
 * test; the function takes the arguments of `startHarness`.
 */
export function useHarnessPerTest(): typeof startHarness {
  const started: Harness[] = [];
  afterEach(async () => {
    for (const harness of started.splice(0)) await harness.close();
  });
  return async (...args) => {
    const harness = await startHarness(...args);
    started.push(harness);
    return harness;
  };
}
