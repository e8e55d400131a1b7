/** How many failures an address may have, and how fast it earns them back. */
export interface FailureLimit {
  /** Failures allowed in a row (the bucket's size). */
  maxFailures: number;
  /** One failure is forgiven every `perMs / maxFailures` ms, so `maxFailures` per `perMs` in the long run. */
  perMs: number;
}

/** Options of `createFailureLimiter`. */
export interface FailureLimiterOptions extends FailureLimit {
  /** Addresses remembered at most; the least recently seen is forgotten first. Default 10000. */
  maxAddresses?: number;
  /** The clock, in ms. Default `Date.now`. */
  nowMs?: () => number;
}

/**
 * Counts failures (bad signatures, wrong passwords) per client address, in memory and per
 * process: a token bucket of `maxFailures` that refills at `maxFailures` per `perMs`. Once an
 * address has spent its bucket, it is refused until one failure is forgiven.
 */
export interface FailureLimiter {
  /** 0 when `address` may try now; otherwise how many ms until it may (for `Retry-After`). */
  blockedForMs(address: string): number;
  /** Spends one of `address`'s failures. */
  recordFailure(address: string): void;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

/** Creates a `FailureLimiter`; memory stays bounded by `maxAddresses`. */
export function createFailureLimiter(options: FailureLimiterOptions): FailureLimiter {
  const { maxFailures, perMs } = options;
  if (!(Number.isInteger(maxFailures) && maxFailures > 0 && perMs > 0))
    throw new RangeError(`a failure limit needs maxFailures > 0 and perMs > 0, got ${maxFailures} per ${perMs} ms`);
  const maxAddresses = options.maxAddresses ?? 10_000;
  const nowMs = options.nowMs ?? Date.now;
  const refillPerMs = maxFailures / perMs;
  const buckets = new Map<string, Bucket>();

  /** The address's bucket refilled to now; `undefined` when it is full (nothing to remember). */
  function current(address: string): Bucket | undefined {
    const bucket = buckets.get(address);
    if (bucket === undefined) return undefined;
    const now = nowMs();
    const tokens = Math.min(maxFailures, bucket.tokens + (now - bucket.atMs) * refillPerMs);
    if (tokens >= maxFailures) {
      buckets.delete(address);
      return undefined;
    }
    return { tokens, atMs: now };
  }

  return {
    blockedForMs(address) {
      const bucket = current(address);
      if (bucket === undefined || bucket.tokens >= 1) return 0;
      return Math.ceil((1 - bucket.tokens) / refillPerMs);
    },
    recordFailure(address) {
      const bucket = current(address) ?? { tokens: maxFailures, atMs: nowMs() };
      // Re-inserted, so the Map's order is least recently seen first.
      buckets.delete(address);
      buckets.set(address, { tokens: Math.max(0, bucket.tokens - 1), atMs: bucket.atMs });
      while (buckets.size > maxAddresses) {
        const oldest = buckets.keys().next();
        if (oldest.done === true) break;
        buckets.delete(oldest.value);
      }
    },
  };
}

/** `Retry-After` in whole seconds (at least 1) for a wait of `ms`. */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}
