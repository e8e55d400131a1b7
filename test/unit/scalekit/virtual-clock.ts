/** A manual clock for tests: `sleep` waits until `advance` moves time past its deadline. */
export interface VirtualClock {
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Moves time forward by `ms`, waking sleepers in deadline order (and letting them run). */
  advance(ms: number): Promise<void>;
  /** Sleepers not yet woken. */
  pending(): number;
}

export function createVirtualClock(startMs = 0): VirtualClock {
  let nowMs = startMs;
  let timers: { atMs: number; resolve: () => void }[] = [];
  const flush = async () => {
    for (let i = 0; i < 20; i += 1) await Promise.resolve();
  };
  return {
    now: () => nowMs,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const timer = { atMs: nowMs + ms, resolve };
        timers.push(timer);
        signal?.addEventListener(
          'abort',
          () => {
            timers = timers.filter((t) => t !== timer);
            reject(signal.reason);
          },
          { once: true },
        );
      });
    },
    async advance(ms) {
      const targetMs = nowMs + ms;
      await flush();
      for (;;) {
        timers.sort((a, b) => a.atMs - b.atMs);
        const next = timers[0];
        if (next === undefined || next.atMs > targetMs) break;
        timers.shift();
        nowMs = Math.max(nowMs, next.atMs);
        next.resolve();
        await flush();
      }
      nowMs = targetMs;
      await flush();
    },
    pending: () => timers.length,
  };
}
