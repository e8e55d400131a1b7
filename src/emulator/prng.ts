/**
 * A small counter-based PRNG: `draw(index, stream)` is a pure function of the seed, the request
 * index and a stream number, so the faults a request gets do not depend on how many draws earlier
 * requests made (only on their order of arrival).
 */
export interface SeededRandom {
  /** A number in [0, 1) for request `index`; `stream` separates independent draws on one request. */
  draw(index: number, stream: number): number;
}

/** Mixes 32-bit words (the finaliser of MurmurHash3); good enough for test traffic, not for crypto. */
function mix32(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Builds a `SeededRandom` for `seed` (any integer; the same seed gives the same sequence). */
export function createSeededRandom(seed: number): SeededRandom {
  const base = mix32(seed ^ 0x9e3779b9);
  return {
    draw(index, stream) {
      const h = mix32(base ^ mix32(index + Math.imul(stream + 1, 0x632be5ab)));
      return h / 0x1_0000_0000;
    },
  };
}
