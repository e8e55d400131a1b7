import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  NetworkError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitedError,
  ResponseShapeError,
  ScalekitError,
  TimeoutError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
  type HttpMethod,
} from '../../../src/scalekit/errors.js';
import { decideRetry, type RetryInput } from '../../../src/retry/decide-retry.js';
import { isOutcomeUnknown, retryFailureOf } from '../../../src/scalekit/retry-policy.js';

const at = (method: HttpMethod, status?: number, retryAfterMs?: number) => ({
  method,
  routeTemplate: '/api/v1/organizations',
  status,
  retryAfterMs,
});
const base = { attempt: 1, maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 10_000, random: () => 0.5 };

/** The one retry decision, for a Scalekit error as the client classifies it. */
function decide(input: Omit<RetryInput, 'failure'> & { error: unknown }) {
  const { error, ...rest } = input;
  return decideRetry({ ...rest, failure: retryFailureOf(error) });
}

describe('decideRetry', () => {
  it.each([
    ['429', new RateLimitedError('x', at('POST', 429)), true],
    ['502', new UnavailableError('x', at('POST', 502)), true],
    ['503', new UnavailableError('x', at('PATCH', 503)), true],
    ['504', new UnavailableError('x', at('DELETE', 504)), true],
    ['500 on GET', new UnavailableError('x', at('GET', 500)), true],
    ['500 on POST (a create is looked up before re-sending)', new UnavailableError('x', at('POST', 500)), true],
    ['500 on PATCH (idempotent)', new UnavailableError('x', at('PATCH', 500)), true],
    ['505', new UnavailableError('x', at('GET', 505)), false],
    ['501', new UnavailableError('x', at('GET', 501)), false],
    ['408', new ScalekitError('ERR_SCALEKIT_HTTP', 'x', at('GET', 408)), true],
    ['timeout', new TimeoutError('x', { ...at('POST'), timeoutMs: 5 }), true],
    ['ECONNRESET', new NetworkError('x', { ...at('GET'), networkCode: 'ECONNRESET' }), true],
    ['400', new ValidationError('x', at('POST', 400)), false],
    ['401', new UnauthenticatedError('x', at('GET', 401)), false],
    ['403', new PermissionDeniedError('x', at('GET', 403)), false],
    ['404', new NotFoundError('x', at('GET', 404)), false],
    ['409', new ConflictError('x', at('POST', 409)), false],
    ['418', new ScalekitError('ERR_SCALEKIT_HTTP', 'x', at('GET', 418)), false],
    ['bad response shape', new ResponseShapeError('x', { ...at('GET', 200), issuePath: 'id' }), false],
    ['a non-Scalekit error', new Error('boom'), false],
    ['a thrown string', 'boom', false],
  ])('%s: retry=%s', (_name, error, retry) => {
    const decision = decide({ ...base, error });
    expect(decision.retry).toBe(retry);
    expect(decision.reason).not.toBe('');
    if (!retry) expect(decision.delayMs).toBe(0);
  });

  it('backs off exponentially with full jitter, within [0, base * 2^(attempt-1))', () => {
    const error = new UnavailableError('x', at('GET', 503));
    for (const attempt of [1, 2, 3, 4]) {
      const ceiling = 100 * 2 ** (attempt - 1);
      expect(decide({ ...base, error, attempt, random: () => 0 }).delayMs).toBe(0);
      expect(decide({ ...base, error, attempt, random: () => 0.5 }).delayMs).toBe(ceiling / 2);
      expect(decide({ ...base, error, attempt, random: () => 0.999999 }).delayMs).toBe(ceiling - 1);
    }
  });

  it('caps the backoff ceiling at maxDelayMs', () => {
    const error = new TimeoutError('x', { ...at('GET'), timeoutMs: 1 });
    const decision = decide({
      ...base,
      error,
      attempt: 20,
      maxAttempts: 50,
      maxDelayMs: 3_000,
      random: () => 0.999999,
    });
    expect(decision.delayMs).toBeLessThan(3_000);
    expect(decision.delayMs).toBeGreaterThanOrEqual(2_999);
  });

  it('waits exactly Retry-After when the server sends it, without jitter', () => {
    const error = new RateLimitedError('x', at('GET', 429, 2_000));
    expect(decide({ ...base, error, random: () => 0 }).delayMs).toBe(2_000);
    expect(decide({ ...base, error, random: () => 0.9 }).delayMs).toBe(2_000);
  });

  it('honours Retry-After on a 503 too', () => {
    const error = new UnavailableError('x', at('GET', 503, 1_500));
    expect(decide({ ...base, error }).delayMs).toBe(1_500);
  });

  it('caps Retry-After at maxDelayMs', () => {
    const error = new RateLimitedError('x', at('GET', 429, 120_000));
    expect(decide({ ...base, error, maxDelayMs: 30_000 })).toMatchObject({ retry: true, delayMs: 30_000 });
  });

  it('gives up when the attempts are spent, saying why', () => {
    const error = new UnavailableError('x', at('GET', 503));
    expect(decide({ ...base, error, attempt: 5 }).retry).toBe(true);
    const last = decide({ ...base, error, attempt: 6 });
    expect(last.retry).toBe(false);
    expect(last.reason).toMatch(/gave up after 6 attempts/);
  });

  it('gives a 429 (nothing was done, only wait) twice the attempts', () => {
    const error = new RateLimitedError('x', at('GET', 429));
    expect(decide({ ...base, error, attempt: 6 }).retry).toBe(true);
    expect(decide({ ...base, error, attempt: 11 }).retry).toBe(true);
    const last = decide({ ...base, error, attempt: 12 });
    expect(last.retry).toBe(false);
    expect(last.reason).toMatch(/rate limited \(429\); gave up after 12 attempts/);
  });

  it('never retries when maxAttempts is 1', () => {
    expect(decide({ ...base, error: new UnavailableError('x', at('GET', 503)), maxAttempts: 1 }).retry).toBe(false);
  });
});

describe('isOutcomeUnknown', () => {
  it.each([
    ['timeout', new TimeoutError('x', { ...at('POST'), timeoutMs: 5 }), true],
    ['connection reset', new NetworkError('x', { ...at('POST'), networkCode: 'ECONNRESET' }), true],
    ['socket closed mid-response', new NetworkError('x', { ...at('POST'), networkCode: 'UND_ERR_SOCKET' }), true],
    ['network error without a code', new NetworkError('x', at('POST')), true],
    ['503', new UnavailableError('x', at('POST', 503)), true],
    ['connection refused: never sent', new NetworkError('x', { ...at('POST'), networkCode: 'ECONNREFUSED' }), false],
    ['DNS failure: never sent', new NetworkError('x', { ...at('POST'), networkCode: 'ENOTFOUND' }), false],
    ['429: rejected before processing', new RateLimitedError('x', at('POST', 429)), false],
    ['409', new ConflictError('x', at('POST', 409)), false],
  ])('%s -> %s', (_name, error, unknown) => {
    expect(isOutcomeUnknown(error)).toBe(unknown);
  });
});
