/** What one attempt gets: its own signal, and whether it was its timeout that fired. */
export interface AttemptSignal {
  signal: AbortSignal;
  timedOut(): boolean;
}

/**
 * Runs one attempt of a request under a signal of its own, which fires when the caller's signal
 * does or after `timeoutMs`. Wired by hand rather than with `AbortSignal.any`/`AbortSignal.timeout`:
 * the listener on the caller's (long-lived, run-wide) signal and the timer are both released as soon
 * as the attempt settles, however many attempts a run makes. Throws the caller's abort reason at
 * once when the caller's signal has already fired.
 */
export async function withAttemptSignal<T>(
  callerSignal: AbortSignal | undefined,
  timeoutMs: number,
  attempt: (attemptSignal: AttemptSignal) => Promise<T>,
): Promise<T> {
  if (callerSignal?.aborted) throw callerSignal.reason;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  const onCallerAbort = (): void => controller.abort(callerSignal?.reason);
  callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  try {
    return await attempt({ signal: controller.signal, timedOut: () => timedOut });
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', onCallerAbort);
  }
}
