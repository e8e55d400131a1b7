/** The outcome of asking the limiter for one request. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * A token bucket: `perSecond` tokens per second, holding at most one second's worth, so a burst
 * of `perSecond` requests passes and the steady rate is `perSecond`.
 */
export class RateLimiter {
  private tokens: number;
  private lastRefillMs: number;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number,
  ) {
    if (!(perSecond > 0)) throw new RangeError(`rateLimit.perSecond must be > 0, got ${perSecond}`);
    this.tokens = perSecond;
    this.lastRefillMs = now();
  }

  /** Takes a token, or says how many whole seconds until one is available (at least 1). */
  take(): RateDecision {
    const nowMs = this.now();
    const capacity = Math.max(1, this.perSecond);
    this.tokens = Math.min(capacity, this.tokens + ((nowMs - this.lastRefillMs) * this.perSecond) / 1000);
    this.lastRefillMs = nowMs;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - this.tokens) / this.perSecond)) };
  }
}
