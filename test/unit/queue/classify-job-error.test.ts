import { describe, expect, it } from 'vitest';
import { InvalidPayloadError, PermanentJobError } from '../../../src/job-errors.js';
import { ConfigError, SourceError } from '../../../src/errors.js';
import { LockTimeoutError } from '../../../src/store/redis-lock.js';
import { classifyJobError } from '../../../src/queue/classify-job-error.js';
import { RateLimitedError, UnauthenticatedError, UnavailableError } from '../../../src/scalekit/errors.js';

const context = { method: 'GET' as const, routeTemplate: '/api/v1/organizations' };

describe('classifyJobError', () => {
  it('fails at once what retrying cannot fix', () => {
    for (const error of [
      new InvalidPayloadError('reconcile', ['x']),
      new PermanentJobError('gone'),
      new ConfigError(['X']),
      new UnauthenticatedError('bad secret', { ...context, status: 401 }),
    ]) {
      expect(classifyJobError(error)).toBe('permanent');
    }
  });

  it('waits out a 429 without spending an attempt', () => {
    expect(classifyJobError(new RateLimitedError('slow down', { ...context, status: 429 }))).toBe('rate-limited');
  });

  it('retries anything else with backoff', () => {
    for (const error of [
      new UnavailableError('503', { ...context, status: 503 }),
      new SourceError('connection refused'),
      new LockTimeoutError('k', 10),
      new Error('boom'),
      'a string',
    ]) {
      expect(classifyJobError(error)).toBe('retry');
    }
  });
});
