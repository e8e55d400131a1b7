import { describe, expect, it } from 'vitest';
import { createFailureLimiter, retryAfterSeconds } from '../../../src/http/failure-limiter.js';

describe('createFailureLimiter', () => {
  it('lets an address fail maxFailures times, then blocks it until one failure is forgiven', () => {
    let now = 1_000_000;
    const limiter = createFailureLimiter({ maxFailures: 3, perMs: 30_000, nowMs: () => now });
    for (let i = 0; i < 3; i += 1) {
      expect(limiter.blockedForMs('10.0.0.1')).toBe(0);
      limiter.recordFailure('10.0.0.1');
    }
    expect(limiter.blockedForMs('10.0.0.1')).toBe(10_000);
    expect(limiter.blockedForMs('10.0.0.2')).toBe(0);
    now += 4_000;
    expect(limiter.blockedForMs('10.0.0.1')).toBe(6_000);
    now += 6_000;
    expect(limiter.blockedForMs('10.0.0.1')).toBe(0);
    limiter.recordFailure('10.0.0.1');
    expect(limiter.blockedForMs('10.0.0.1')).toBe(10_000);
  });

  it('forgets the least recently seen address beyond maxAddresses', () => {
    const limiter = createFailureLimiter({ maxFailures: 1, perMs: 60_000, maxAddresses: 2, nowMs: () => 0 });
    for (const address of ['a', 'b', 'c']) limiter.recordFailure(address);
    expect(limiter.blockedForMs('a')).toBe(0);
    expect(limiter.blockedForMs('b')).toBeGreaterThan(0);
    expect(limiter.blockedForMs('c')).toBeGreaterThan(0);
  });

  it('refuses a limit that would never allow anything', () => {
    expect(() => createFailureLimiter({ maxFailures: 0, perMs: 1_000 })).toThrow(RangeError);
  });

  it('rounds Retry-After up to whole seconds, at least 1', () => {
    expect(retryAfterSeconds(1)).toBe('1');
    expect(retryAfterSeconds(1_001)).toBe('2');
  });
});
