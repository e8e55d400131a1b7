import { coerceError } from '../errors.js';

/** One dependency `/readyz` checks: it resolves when the part is reachable, rejects otherwise. */
export interface ReadinessCheck {
  /** Shown in the body: `redis`, `scalekit`. */
  name: string;
  check(signal: AbortSignal): Promise<void>;
}

/** The outcome of every check: `ok`, or why it failed. */
export interface Readiness {
  ready: boolean;
  checks: Record<string, string>;
}

/** Options of `createReadiness`. */
export interface ReadinessOptions {
  /** Each check must settle within this many ms. Default 2000. */
  timeoutMs?: number;
  /**
   * A result is reused for this many ms, so that a burst of probes costs one Scalekit call.
   * Default 2000; 0 disables the cache.
   */
  cacheMs?: number;
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<string> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`timed out after ${timeoutMs} ms`));
      resolve(`timed out after ${timeoutMs} ms`);
    }, timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([
      check.check(controller.signal).then(
        () => 'ok',
        (error: unknown) => `failed: ${coerceError(error).message}`,
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check concurrently, each under its timeout; concurrent callers share one run. */
export function createReadiness(
  checks: readonly ReadinessCheck[],
  options: ReadinessOptions = {},
): () => Promise<Readiness> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const cacheMs = options.cacheMs ?? 2000;
  let last: { atMs: number; result: Promise<Readiness> } | undefined;
  async function evaluate(): Promise<Readiness> {
    const outcomes = await Promise.all(checks.map(async (c) => [c.name, await runCheck(c, timeoutMs)] as const));
    return { ready: outcomes.every(([, outcome]) => outcome === 'ok'), checks: Object.fromEntries(outcomes) };
  }
  return () => {
    const nowMs = Date.now();
    if (last === undefined || nowMs - last.atMs >= cacheMs) last = { atMs: nowMs, result: evaluate() };
    return last.result;
  };
}
