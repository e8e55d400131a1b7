import { describe, expect, it } from 'vitest';
import { OrgsyncError, describeError } from '../../src/errors.js';
import { NotFoundError } from '../../src/scalekit/errors.js';

describe('describeError', () => {
  it("keeps an orgsync error's code and message", () => {
    const error = new NotFoundError('no such organization', {
      method: 'GET',
      routeTemplate: '/api/v1/organizations/{id}',
    });
    expect(describeError(error, 'ERR_UNEXPECTED')).toEqual({
      code: 'ERR_SCALEKIT_NOT_FOUND',
      message: 'GET /api/v1/organizations/{id}: no such organization',
    });
    expect(describeError(new OrgsyncError('ERR_PLAN', 'bad plan'), 'ERR_JOB_FAILED').code).toBe('ERR_PLAN');
  });

  it("keeps a system error's code (a lost Redis connection says ECONNREFUSED)", () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
    expect(describeError(error, 'ERR_JOB_FAILED')).toEqual({ code: 'ECONNREFUSED', message: error.message });
  });

  it('gives anything else the fallback code', () => {
    expect(describeError(new TypeError('x is undefined'), 'ERR_UNEXPECTED')).toEqual({
      code: 'ERR_UNEXPECTED',
      message: 'x is undefined',
    });
    expect(describeError(Object.assign(new Error('numeric'), { code: 20 }), 'ERR_JOB_FAILED').code).toBe(
      'ERR_JOB_FAILED',
    );
    expect(describeError('boom', 'ERR_JOB_FAILED')).toEqual({ code: 'ERR_JOB_FAILED', message: 'boom' });
  });
});
