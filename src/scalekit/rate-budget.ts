/**
 * The one gate every Scalekit request passes through. The in-process token bucket
 * (`createTokenBucket`) serves a single process; the queue layer provides a Redis-backed one
 * shared by every worker.
 */
export interface RateBudget {
  /** Resolves when one request may be sent. Rejects with the signal's reason when aborted. */
  acquire(signal?: AbortSignal): Promise<void>;
  /**
   * Scalekit answered 429: nobody sends for `pauseMs`. Called by the client with the
   * `Retry-After` value or its own backoff.
   */
  pause(pauseMs: number): void | Promise<void>;
  /** Milliseconds spent waiting in `acquire`, summed (for metrics and benchmarks). */
  readonly waitedMs: number;
}
