import { ConfigError } from '../../src/errors.js';

/** The problems of the ConfigError that `load` throws; fails if it throws anything else, or nothing. */
export function configProblemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}
