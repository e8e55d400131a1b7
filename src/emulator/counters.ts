/** How a request ended: an HTTP status, or no answer at all. */
export type RequestOutcome = number | 'dropped' | 'timeout';

/** Request counts. Admin routes (`/_emulator/...`) are never counted. */
export interface EmulatorCounters {
  totals: {
    /** Every counted request: API, token and unmatched. */
    requests: number;
    /** Requests under /api/v1 (including rate-limited and faulted ones). */
    apiCalls: number;
    /** Requests to /oauth/token. */
    tokenCalls: number;
    /** Requests that got an injected fault. */
    faults: number;
    /** Requests answered 429. */
    rateLimited: number;
  };
  /** Writes that changed state, including those whose answer was then lost to a fault. */
  writes: { create: number; update: number; delete: number };
  /** `"METHOD /route/template"` → outcome (`"200"`, `"409"`, `"dropped"`, `"timeout"`) → count. */
  routes: Record<string, Record<string, number>>;
  /**
   * The wall-clock second (epoch-aligned, by arrival) in which the most `/api/v1` requests arrived:
   * how many, and when that second began (RFC 3339; null before the first request). The figure a
   * rate limit per environment is checked against.
   */
  busiestSecond: { apiCalls: number; at: string | null };
}

/** Seconds of arrivals kept for late-finishing requests (a request is counted when it ends). */
const SECONDS_KEPT = 120;

/** Accumulates `EmulatorCounters`. */
export class RequestCounters {
  private data: EmulatorCounters = RequestCounters.empty();
  /** API requests per epoch second, for the last `SECONDS_KEPT` seconds seen. */
  private apiCallsBySecond = new Map<number, number>();

  private static empty(): EmulatorCounters {
    return {
      totals: { requests: 0, apiCalls: 0, tokenCalls: 0, faults: 0, rateLimited: 0 },
      writes: { create: 0, update: 0, delete: 0 },
      routes: {},
      busiestSecond: { apiCalls: 0, at: null },
    };
  }

  /**
   * Counts one finished request. `kind` says which total it adds to; `arrivedAtMs` (epoch ms) is
   * when it arrived, which decides its second in `busiestSecond`.
   */
  record(
    kind: 'api' | 'token' | 'other',
    method: string,
    route: string,
    outcome: RequestOutcome,
    faulted: boolean,
    arrivedAtMs: number,
  ): void {
    const t = this.data.totals;
    t.requests += 1;
    if (kind === 'api') {
      t.apiCalls += 1;
      this.countInSecond(Math.floor(arrivedAtMs / 1000));
    }
    if (kind === 'token') t.tokenCalls += 1;
    if (faulted) t.faults += 1;
    if (outcome === 429) t.rateLimited += 1;
    const key = `${method} ${route}`;
    const byOutcome = (this.data.routes[key] ??= {});
    byOutcome[String(outcome)] = (byOutcome[String(outcome)] ?? 0) + 1;
  }

  private countInSecond(second: number): void {
    const count = (this.apiCallsBySecond.get(second) ?? 0) + 1;
    this.apiCallsBySecond.set(second, count);
    const busiest = this.data.busiestSecond;
    if (count > busiest.apiCalls) {
      busiest.apiCalls = count;
      busiest.at = new Date(second * 1000).toISOString();
    }
    // Requests end in roughly the order they arrive: older seconds will see no more arrivals.
    if (this.apiCallsBySecond.size > SECONDS_KEPT)
      for (const kept of this.apiCallsBySecond.keys())
        if (kept < second - SECONDS_KEPT) this.apiCallsBySecond.delete(kept);
  }

  /** Counts a write that changed state. */
  recordWrite(kind: keyof EmulatorCounters['writes']): void {
    this.data.writes[kind] += 1;
  }

  /** A deep copy of the counts so far. */
  snapshot(): EmulatorCounters {
    return structuredClone(this.data);
  }

  reset(): void {
    this.data = RequestCounters.empty();
    this.apiCallsBySecond.clear();
  }
}
