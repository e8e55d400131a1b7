/**
 * Errors the emulator answers with, in grpc-gateway's shape:
 * `{"code": <gRPC code>, "message": "...", "details": [{"@type": ".../ErrorInfo", "error_code": "..."}]}`.
 * They are values (handlers return them), never thrown.
 */

/** One bad field, as in `validation_error_info.field_violations`. */
export interface FieldViolation {
  field: string;
  description: string;
  /** The protovalidate rule id, e.g. `string.max_len`, `map.max_pairs`. */
  constraint: string;
}

/** An error answer: HTTP status, gRPC code and ErrorInfo contents. */
export interface ApiError {
  readonly kind: 'api-error';
  httpStatus: number;
  grpcCode: number;
  message: string;
  errorCode: string;
  violations?: FieldViolation[];
}

const ERROR_INFO_TYPE = 'type.googleapis.com/scalekit.v1.errdetails.ErrorInfo';

function apiError(httpStatus: number, grpcCode: number, errorCode: string, message: string): ApiError {
  return { kind: 'api-error', httpStatus, grpcCode, errorCode, message };
}

/** Narrows a handler result to an error. */
export function isApiError(value: unknown): value is ApiError {
  return typeof value === 'object' && value !== null && 'kind' in value && value.kind === 'api-error';
}

/** 400, gRPC 3, with one violation per bad field. */
export function invalidArgument(violations: FieldViolation[]): ApiError {
  const lines = violations.map((v) => ` - ${v.field}: ${v.description} [${v.constraint}]`);
  return { ...apiError(400, 3, 'INVALID_ARGUMENT', `validation error:\n${lines.join('\n')}`), violations };
}

/** 400, gRPC 3, for a request that is malformed rather than invalid field by field. */
export function badRequest(message: string): ApiError {
  return apiError(400, 3, 'INVALID_ARGUMENT', message);
}

/** 401, gRPC 16. `message` is "Token empty" when no token was sent. */
export function unauthenticated(message: string): ApiError {
  return apiError(401, 16, 'UNAUTHENTICATED', message);
}

/** 404, gRPC 5. */
export function notFound(message: string): ApiError {
  return apiError(404, 5, 'NOT_FOUND', message);
}

/** 409, gRPC 6: a unique field (external_id) is taken. */
export function alreadyExists(message: string): ApiError {
  return apiError(409, 6, 'ALREADY_EXISTS', message);
}

/** 429, gRPC 8, error_code RATE_LIMITED (Scalekit's own limit). */
export function rateLimited(): ApiError {
  return apiError(429, 8, 'RATE_LIMITED', 'rate limit exceeded, retry later');
}

/** An injected server failure: 500 (gRPC 13) or 503 (gRPC 14). */
export function serverFault(httpStatus: 500 | 503): ApiError {
  return httpStatus === 500
    ? apiError(500, 13, 'INTERNAL', 'internal error (injected by the emulator)')
    : apiError(503, 14, 'UNAVAILABLE', 'service unavailable (injected by the emulator)');
}

/** grpc-gateway's routing errors: unknown path → 404 "Not Found"; known path, wrong method → 501. */
export function routingError(kind: 'not-found' | 'method-not-allowed'): ApiError {
  return kind === 'not-found'
    ? apiError(404, 5, 'NOT_FOUND', 'Not Found')
    : apiError(501, 12, 'UNIMPLEMENTED', 'Method Not Allowed');
}

/** The JSON body of an error answer. */
export function errorBody(error: ApiError): Record<string, unknown> {
  const detail: Record<string, unknown> = { '@type': ERROR_INFO_TYPE, error_code: error.errorCode };
  if (error.violations) detail['validation_error_info'] = { field_violations: error.violations };
  return { code: error.grpcCode, message: error.message, details: [detail] };
}
