import { describe, expect, it } from 'vitest';
import { createReleasers } from '../../src/lifecycle.js';

describe('createReleasers', () => {
  it('releases in reverse order, runs every closer when one fails, and rethrows the first error', async () => {
    const releasers = createReleasers();
    const order: string[] = [];
    releasers.add('redis', () => void order.push('redis'));
    releasers.add('queue', () => {
      order.push('queue');
      throw new Error('queue close failed');
    });
    releasers.add('worker', async () => void order.push('worker'));
    const failures: string[] = [];
    await expect(releasers.releaseAll((name) => failures.push(name))).rejects.toThrow('queue close failed');
    expect(order).toEqual(['worker', 'queue', 'redis']);
    expect(failures).toEqual(['queue']);
  });

  it('is idempotent: a second release returns the first one and runs nothing again', async () => {
    const releasers = createReleasers();
    let calls = 0;
    releasers.add('x', () => void (calls += 1));
    const first = releasers.releaseAll();
    expect(releasers.releaseAll()).toBe(first);
    await first;
    expect(calls).toBe(1);
    expect(() => releasers.add('late', () => undefined)).toThrow(/already being released/);
  });
});
