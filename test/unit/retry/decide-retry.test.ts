import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { decideRetry, isRetryableStatus, type RetryInput } from '../../../src/retry/decide-retry.js';
import { describeNetworkError, findNetworkCode, isNeverSentNetworkCode } from '../../../src/retry/network-errors.js';
import { withAttemptSignal } from '../../../src/retry/with-attempt-signal.js';

const base: Omit<RetryInput, 'failure'> = {
  attempt: 1,
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  random: () => 0.5,
};

describe('decideRetry (shared by the Scalekit client and the HTTP source)', () => {
  it('retries 408, 429 and every 5xx but 501 and 505', () => {
    const retried = [408, 429, 500, 502, 503, 504, 507, 520, 524, 599];
    const refused = [200, 301, 400, 401, 403, 404, 409, 418, 499, 501, 505, 600];
    expect(retried.filter(isRetryableStatus)).toEqual(retried);
    expect(refused.filter(isRetryableStatus)).toEqual([]);
    expect(decideRetry({ ...base, failure: { kind: 'status', status: 501 } })).toMatchObject({
      retry: false,
      why: 'permanent',
    });
  });

  it('never retries what is not a status, a timeout or a network error', () => {
    const decision = decideRetry({ ...base, failure: { kind: 'other', reason: 'bad response shape' } });
    expect(decision).toEqual({ retry: false, delayMs: 0, reason: 'bad response shape', why: 'permanent' });
  });

  it('says when the attempts are spent', () => {
    const failure = { kind: 'timeout', timeoutMs: 50 } as const;
    expect(decideRetry({ ...base, failure, attempt: 3 }).retry).toBe(true);
    expect(decideRetry({ ...base, failure, attempt: 4 })).toMatchObject({ retry: false, why: 'attempts-spent' });
  });

  it('waits a Retry-After up to maxRetryAfterMs in full, and stops instead of waiting longer', () => {
    const failure = (retryAfterMs: number) => ({ kind: 'status', status: 503, retryAfterMs }) as const;
    const withLimit = { ...base, maxRetryAfterMs: 60_000 };
    expect(decideRetry({ ...withLimit, failure: failure(45_000) })).toMatchObject({ retry: true, delayMs: 45_000 });
    expect(decideRetry({ ...withLimit, failure: failure(60_001) })).toMatchObject({
      retry: false,
      why: 'wait-too-long',
    });
    // Without maxRetryAfterMs (the Scalekit client) a long Retry-After is capped at maxDelayMs.
    expect(decideRetry({ ...base, failure: failure(45_000) })).toMatchObject({ retry: true, delayMs: 30_000 });
  });

  it('backs off with full jitter when there is no Retry-After', () => {
    const failure = { kind: 'network', code: 'ECONNRESET' } as const;
    expect(decideRetry({ ...base, failure, attempt: 2, random: () => 0.5 }).delayMs).toBe(500);
    expect(decideRetry({ ...base, failure, attempt: 2, random: () => 0 }).delayMs).toBe(0);
  });
});

describe('network errors', () => {
  it('finds the code on the error or a cause, and tells what it means', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    expect(findNetworkCode(refused)).toBe('ECONNREFUSED');
    expect(describeNetworkError(refused)).toBe('connection refused');
    expect(isNeverSentNetworkCode('ECONNREFUSED')).toBe(true);
    expect(isNeverSentNetworkCode('ECONNRESET')).toBe(false);
    const odd = new TypeError('fetch failed', { cause: Object.assign(new Error('odd'), { code: 'EODD' }) });
    expect(describeNetworkError(odd)).toBe('EODD: odd');
    expect(describeNetworkError(new TypeError('fetch failed', { cause: new Error('bad port') }))).toBe('bad port');
  });
});

describe('withAttemptSignal', () => {
  it('releases its listener on a long-lived caller signal after every attempt', async () => {
    const run = new AbortController();
    for (let i = 0; i < 20; i += 1) {
      await withAttemptSignal(run.signal, 10_000, async () => {
        expect(getEventListeners(run.signal, 'abort')).toHaveLength(1);
      });
    }
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('aborts the attempt on its timeout and says so', async () => {
    const outcome = await withAttemptSignal(undefined, 10, async (attempt) => {
      await new Promise((resolve) => attempt.signal.addEventListener('abort', resolve, { once: true }));
      return attempt.timedOut();
    });
    expect(outcome).toBe(true);
  });

  it("passes the caller's abort reason on, and refuses to start when the caller already aborted", async () => {
    const run = new AbortController();
    const reason = await withAttemptSignal(run.signal, 10_000, async (attempt) => {
      run.abort(new Error('shutting down'));
      return { reason: attempt.signal.reason as unknown, timedOut: attempt.timedOut() };
    });
    expect(reason).toEqual({ reason: new Error('shutting down'), timedOut: false });
    await expect(withAttemptSignal(run.signal, 10_000, async () => 'ran')).rejects.toThrow('shutting down');
  });
});
