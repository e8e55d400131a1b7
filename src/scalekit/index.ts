export { createScalekitClient } from './client.js';
export type { ScalekitClient } from './client.js';
export { clientDefaults } from './client-options.js';
export type { ScalekitClientOptions } from './client-options.js';
export { createTokenBucket, unlimitedBudget } from './token-bucket.js';
export type { TokenBucketOptions } from './token-bucket.js';
export { isOutcomeUnknown, retryFailureOf } from './retry-policy.js';
export { decideRetry } from '../retry/decide-retry.js';
export type { RetryDecision, RetryFailure, RetryInput } from '../retry/decide-retry.js';
export { parseErrorResponse } from './parse-error-response.js';
export { parseRetryAfterMs } from '../retry/retry-after.js';
export {
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
  isScalekitError,
} from './errors.js';
export type { FieldViolation, HttpMethod, ScalekitErrorContext } from './errors.js';
export type { RequestInfo } from './request-loop.js';
export type { FetchLike, FetchInit, FetchResponse } from './transport.js';
export { raceAbort, realSleep } from './sleep.js';
export type { Sleep } from './sleep.js';
export type {
  ApiStats,
  CreateOrganizationInput,
  OrganizationPage,
  ScalekitApi,
  UpdateOrganizationInput,
} from './api.js';
export type { RateBudget } from './rate-budget.js';
export type { Directory, Organization } from './schemas.js';
