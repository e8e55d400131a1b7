import { coerceError } from './errors.js';

/** One resource to release: a name for log lines and its closer. */
interface Releaser {
  name: string;
  release: () => Promise<void> | void;
}

/**
 * A LIFO list of closers (style §7): whatever opens a resource pushes its closer, and
 * `releaseAll` runs them in reverse order, every one even when another fails, then rethrows the
 * first error. `releaseAll` is idempotent: later calls return the first call's promise.
 */
export interface Releasers {
  /** Registers a closer; it runs before every closer added earlier. */
  add(name: string, release: () => Promise<void> | void): void;
  /** Runs every closer, newest first. `onError` sees each failure (e.g. to log it). */
  releaseAll(onError?: (name: string, error: Error) => void): Promise<void>;
}

/** Creates an empty releasers list. */
export function createReleasers(): Releasers {
  const stack: Releaser[] = [];
  let releasing: Promise<void> | undefined;

  async function run(onError?: (name: string, error: Error) => void): Promise<void> {
    let first: Error | undefined;
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      try {
        await next.release();
      } catch (error) {
        const e = coerceError(error);
        first ??= e;
        onError?.(next.name, e);
      }
    }
    if (first) throw first;
  }

  return {
    add(name, release) {
      if (releasing) throw new Error(`cannot add ${name}: the resources are already being released`);
      stack.push({ name, release });
    },
    releaseAll(onError) {
      releasing ??= run(onError);
      return releasing;
    },
  };
}
