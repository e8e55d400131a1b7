import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/server.js';
import { startPrism, type RunningPrism } from './prism.js';

export interface EmulatorBehindPrism {
  /** Set once the test file's `beforeAll` hooks have run. */
  readonly emulator: RunningEmulator;
  readonly prism: RunningPrism;
}

/**
 * An emulator with Prism validating in front of it, for the calling test file: both started before
 * its tests (Prism may take up to two minutes), closed after them; the emulator's store is emptied
 * before each test.
 */
export function useEmulatorBehindPrism(options: EmulatorOptions): EmulatorBehindPrism {
  let emulator: RunningEmulator | undefined;
  let prism: RunningPrism | undefined;
  beforeAll(async () => {
    emulator = await startEmulator(options);
    prism = await startPrism(emulator.url);
  }, 120_000);
  afterAll(async () => {
    await prism?.close();
    await emulator?.close();
  });
  beforeEach(() => {
    emulator?.store.reset();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the emulator behind Prism is not started yet');
    return value;
  };
  return {
    get emulator() {
      return started(emulator);
    },
    get prism() {
      return started(prism);
    },
  };
}
