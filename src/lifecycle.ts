import type { EventEmitter } from 'node:events';
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

/** Resolves with `'deadline'` after `ms` unless `settled` settles first; the timer never holds the process open. */
export async function raceDeadline(settled: Promise<void>, ms: number): Promise<'closed' | 'deadline'> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), ms);
    timer.unref();
  });
  try {
    return await Promise.race([settled.then(() => 'closed' as const), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves when `promise` settles (fulfilled or rejected) or after `ms`, whichever comes first; never rejects. */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  await raceDeadline(
    promise.then(
      () => undefined,
      () => undefined,
    ),
    ms,
  );
}

/**
 * Waits for `closing`; past `deadlineMs`, calls `force` (cut connections) and gives the closers one
 * more second. Rejects with the first closer's error, or when even the forced close hangs.
 */
export async function closeWithin(closing: Promise<void>, deadlineMs: number, force: () => void): Promise<void> {
  if ((await raceDeadline(closing, deadlineMs)) === 'closed') return;
  force();
  if ((await raceDeadline(closing, 1_000)) === 'closed') return;
  throw new Error(`shutdown did not finish within ${deadlineMs + 1_000} ms, even after cutting connections`);
}

/** The signals that shut a long-running command down (style §7.4). */
export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Calls `onSignal` on every SIGTERM/SIGINT that `emitter` (default: the process) emits, with how
 * many have arrived: the first starts a graceful shutdown, a second forces it. Returns a function
 * that removes the listeners.
 */
export function onShutdownSignals(
  onSignal: (signal: NodeJS.Signals, count: number) => void,
  emitter: EventEmitter = process,
): () => void {
  let count = 0;
  const listener = (signal: NodeJS.Signals): void => {
    count += 1;
    onSignal(signal, count);
  };
  for (const signal of SHUTDOWN_SIGNALS) emitter.on(signal, listener);
  return () => {
    for (const signal of SHUTDOWN_SIGNALS) emitter.off(signal, listener);
  };
}
