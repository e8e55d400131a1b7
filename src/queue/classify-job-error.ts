import { ConfigError } from '../errors.js';
import { InvalidPayloadError, PermanentJobError } from '../job-errors.js';
import { PermissionDeniedError, RateLimitedError, UnauthenticatedError, ValidationError } from '../scalekit/errors.js';

/** What to do about an error a processor threw. */
export type ErrorClass = 'permanent' | 'rate-limited' | 'retry';

/** Classifies by what to do (style §3.2): permanent errors fail at once, 429s wait without spending an attempt. */
export function classifyJobError(error: unknown): ErrorClass {
  if (error instanceof RateLimitedError) return 'rate-limited';
  const permanent =
    error instanceof InvalidPayloadError ||
    error instanceof PermanentJobError ||
    error instanceof ConfigError ||
    error instanceof UnauthenticatedError ||
    error instanceof PermissionDeniedError ||
    error instanceof ValidationError;
  return permanent ? 'permanent' : 'retry';
}
