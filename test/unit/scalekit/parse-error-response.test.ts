import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitedError,
  ScalekitError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
  isScalekitError,
} from '../../../src/scalekit/errors.js';
import { parseErrorResponse } from '../../../src/scalekit/parse-error-response.js';

const nowMs = Date.parse('2026-01-01T00:00:00Z');
const errorInfo = 'type.googleapis.com/scalekit.v1.errdetails.ErrorInfo';

function parse(status: number, body: unknown, retryAfter: string | null = null) {
  const bodyText = typeof body === 'string' ? body : JSON.stringify(body);
  return parseErrorResponse({
    method: 'POST',
    routeTemplate: '/api/v1/organizations',
    status,
    bodyText,
    retryAfter,
    nowMs,
    secrets: ['s3cret'],
  });
}

describe('parseErrorResponse', () => {
  it('reads the grpc-gateway body of a 401 (the SPEC example)', () => {
    const error = parse(401, {
      code: 16,
      message: 'Token empty',
      details: [{ '@type': errorInfo, error_code: 'UNAUTHENTICATED' }],
    });
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect(error).toMatchObject({
      code: 'ERR_SCALEKIT_UNAUTHENTICATED',
      status: 401,
      grpcCode: 16,
      errorCode: 'UNAUTHENTICATED',
      method: 'POST',
      routeTemplate: '/api/v1/organizations',
    });
    expect(error.message).toContain('POST /api/v1/organizations');
    expect(error.message).toContain('Token empty');
    expect(error.message).toMatch(/check SCALEKIT_CLIENT_ID/);
  });

  it('collects field violations from validation_error_info on a 400', () => {
    const error = parse(400, {
      code: 3,
      message: 'invalid request',
      details: [
        {
          '@type': errorInfo,
          error_code: 'INVALID_ARGUMENT',
          validation_error_info: {
            field_violations: [
              { field: 'display_name', description: 'too long', constraint: 'max_len' },
              { field: 'metadata' },
            ],
          },
        },
      ],
    });
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.code).toBe('ERR_SCALEKIT_VALIDATION');
    expect(error instanceof ValidationError && error.fieldViolations).toEqual([
      { field: 'display_name', description: 'too long', constraint: 'max_len' },
      { field: 'metadata', description: '', constraint: '' },
    ]);
  });

  it.each([
    [403, PermissionDeniedError, 'ERR_SCALEKIT_PERMISSION_DENIED'],
    [404, NotFoundError, 'ERR_SCALEKIT_NOT_FOUND'],
    [409, ConflictError, 'ERR_SCALEKIT_CONFLICT'],
    [429, RateLimitedError, 'ERR_SCALEKIT_RATE_LIMITED'],
    [500, UnavailableError, 'ERR_SCALEKIT_UNAVAILABLE'],
    [503, UnavailableError, 'ERR_SCALEKIT_UNAVAILABLE'],
    [418, ScalekitError, 'ERR_SCALEKIT_HTTP'],
  ])('maps HTTP %s to %o (%s)', (status, errorClass, code) => {
    const error = parse(status, { code: 5, message: 'm', details: [] });
    expect(error).toBeInstanceOf(errorClass);
    expect(error.code).toBe(code);
    expect(isScalekitError(error)).toBe(true);
  });

  it('takes the first error_code among the details', () => {
    const error = parse(429, {
      code: 8,
      message: 'slow down',
      details: [{ '@type': 'other' }, { '@type': errorInfo, error_code: 'RATE_LIMITED' }],
    });
    expect(error.errorCode).toBe('RATE_LIMITED');
    expect(error.grpcCode).toBe(8);
  });

  it('falls back to the status alone when the body is not JSON (a proxy page) or empty', () => {
    const html = parse(502, '<html>Bad gateway</html>');
    expect(html).toBeInstanceOf(UnavailableError);
    expect(html.grpcCode).toBeUndefined();
    expect(parse(404, '')).toBeInstanceOf(NotFoundError);
    expect(parse(409, { unexpected: true })).toBeInstanceOf(ConflictError);
  });

  it('reads Retry-After into retryAfterMs', () => {
    expect(parse(429, {}, '3').retryAfterMs).toBe(3_000);
    expect(parse(503, {}, 'Thu, 01 Jan 2026 00:00:05 GMT').retryAfterMs).toBe(5_000);
    expect(parse(429, {}).retryAfterMs).toBeUndefined();
  });

  it('scrubs secrets that the server echoes back', () => {
    const error = parse(400, { code: 3, message: 'client_secret s3cret is malformed' });
    expect(error.message).not.toContain('s3cret');
    expect(error.message).toContain('[redacted]');
  });
});
