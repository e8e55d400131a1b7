import { FaultInjector } from './faults.js';
import { DEFAULT_KNOBS, parseKnobsPatch, type EmulatorKnobs } from './knobs.js';
import { RateLimiter } from './rate-limiter.js';
import { RequestCounters } from './counters.js';
import type { EmulatorStore } from './store.js';
import type { ClientCredentials } from './token-route.js';
import { TokenRegistry } from './tokens.js';

/** Everything a request handler needs: state, knobs and the machinery they drive. */
export class EmulatorRuntime {
  readonly counters = new RequestCounters();
  readonly tokens: TokenRegistry;
  readonly faults: FaultInjector;
  private currentKnobs: EmulatorKnobs;
  private limiter: RateLimiter | null = null;

  constructor(
    readonly store: EmulatorStore,
    readonly credentials: ClientCredentials,
    readonly now: () => number,
    knobs: unknown,
    tokenTtlSeconds: number,
  ) {
    this.currentKnobs = { ...DEFAULT_KNOBS, ...parseKnobsPatch(knobs) };
    this.tokens = new TokenRegistry({ ttlSeconds: tokenTtlSeconds, now });
    this.faults = new FaultInjector(this.currentKnobs);
    this.limiter = this.makeLimiter();
  }

  /** The knobs in force (replaced, never mutated, by `configure`; do not mutate it either). */
  get knobs(): Readonly<EmulatorKnobs> {
    return this.currentKnobs;
  }

  /** The rate limiter, or null when there is no limit. */
  get rateLimiter(): RateLimiter | null {
    return this.limiter;
  }

  /** Validates and applies a partial change of knobs (throws a RangeError when invalid). */
  configure(patch: unknown): void {
    const parsed = parseKnobsPatch(patch);
    const before = this.currentKnobs.rateLimit;
    this.currentKnobs = { ...this.currentKnobs, ...parsed };
    this.faults.configure(this.currentKnobs);
    // A new limit starts with a full bucket; an unchanged one keeps its state.
    if (JSON.stringify(before) !== JSON.stringify(this.currentKnobs.rateLimit)) this.limiter = this.makeLimiter();
  }

  private makeLimiter(): RateLimiter | null {
    const limit = this.currentKnobs.rateLimit;
    return limit ? new RateLimiter(limit.perSecond, this.now) : null;
  }
}
