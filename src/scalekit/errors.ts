import { OrgsyncError } from '../errors.js';

/** HTTP methods the client sends. */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Where and how a Scalekit call failed; every `ScalekitError` carries it. */
export interface ScalekitErrorContext {
  /** Method of the failed request. */
  method: HttpMethod;
  /** Route template, e.g. `/api/v1/organizations/{id}`; never the concrete ID or a query. */
  routeTemplate: string;
  /** HTTP status, or `undefined` when no response arrived (timeout, network, local check). */
  status?: number | undefined;
  /** grpc-gateway's numeric gRPC `code` from the error body, when present. */
  grpcCode?: number | undefined;
  /** Scalekit's `error_code` (first ErrorInfo detail), e.g. `RATE_LIMITED`. */
  errorCode?: string | undefined;
  /** How long the server asked us to wait (`Retry-After`), in milliseconds. */
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

/**
 * Base of every error the Scalekit client throws. `code` is stable; the message names the method,
 * the route, what happened and what to do, and never holds the client secret or a token.
 * A plain `ScalekitError` (code `ERR_SCALEKIT_HTTP`) is an HTTP status with no dedicated subclass.
 */
export class ScalekitError extends OrgsyncError {
  readonly status: number | undefined;
  readonly grpcCode: number | undefined;
  readonly errorCode: string | undefined;
  readonly method: HttpMethod;
  readonly routeTemplate: string;
  readonly retryAfterMs: number | undefined;

  constructor(code: string, message: string, context: ScalekitErrorContext) {
    super(code, `${context.method} ${context.routeTemplate}: ${message}`, { cause: context.cause });
    this.status = context.status;
    this.grpcCode = context.grpcCode;
    this.errorCode = context.errorCode;
    this.method = context.method;
    this.routeTemplate = context.routeTemplate;
    this.retryAfterMs = context.retryAfterMs;
  }
}

/** 404: the organization (or its parent) does not exist. */
export class NotFoundError extends ScalekitError {
  constructor(message: string, context: ScalekitErrorContext) {
    super('ERR_SCALEKIT_NOT_FOUND', message, context);
  }
}

/** 409: e.g. another organization already has this external ID. */
export class ConflictError extends ScalekitError {
  constructor(message: string, context: ScalekitErrorContext) {
    super('ERR_SCALEKIT_CONFLICT', message, context);
  }
}

/** One rejected field, from `validation_error_info.field_violations`. */
export interface FieldViolation {
  field: string;
  description: string;
  constraint: string;
}

/** 400: Scalekit rejected the request (or the client refused to send it: `status` undefined). */
export class ValidationError extends ScalekitError {
  readonly fieldViolations: readonly FieldViolation[];

  constructor(message: string, context: ScalekitErrorContext & { fieldViolations?: readonly FieldViolation[] }) {
    super('ERR_SCALEKIT_VALIDATION', message, context);
    this.fieldViolations = context.fieldViolations ?? [];
  }
}

/** 401 (after one token refresh), or the token endpoint refused the client credentials. */
export class UnauthenticatedError extends ScalekitError {
  constructor(message: string, context: ScalekitErrorContext) {
    super('ERR_SCALEKIT_UNAUTHENTICATED', message, context);
  }
}

/** 403: the credentials are valid but not allowed to do this. */
export class PermissionDeniedError extends ScalekitError {
  constructor(message: string, context: ScalekitErrorContext) {
    super('ERR_SCALEKIT_PERMISSION_DENIED', message, context);
  }
}

/** 429 that outlasted the retries. `retryAfterMs` is the server's hint, when it gave one. */
export class RateLimitedError extends ScalekitError {
  constructor(message: string, context: ScalekitErrorContext) {
    super('ERR_SCALEKIT_RATE_LIMITED', message, context);
  }
}

/** 5xx from Scalekit or a proxy in front of it. */
export class UnavailableError extends ScalekitError {
  constructor(message: string, context: ScalekitErrorContext) {
    super('ERR_SCALEKIT_UNAVAILABLE', message, context);
  }
}

/** No complete response within `timeoutMs`. Whether the server acted on the request is unknown. */
export class TimeoutError extends ScalekitError {
  readonly timeoutMs: number;

  constructor(message: string, context: ScalekitErrorContext & { timeoutMs: number }) {
    super('ERR_SCALEKIT_TIMEOUT', message, context);
    this.timeoutMs = context.timeoutMs;
  }
}

/**
 * The connection failed (`ECONNRESET`, `ECONNREFUSED`, ...). `networkCode` is the system or undici
 * code; `cause` is the original error.
 */
export class NetworkError extends ScalekitError {
  readonly networkCode: string | undefined;

  constructor(message: string, context: ScalekitErrorContext & { networkCode?: string | undefined }) {
    super('ERR_SCALEKIT_NETWORK', message, context);
    this.networkCode = context.networkCode;
  }
}

/** A 2xx whose body is not JSON or does not match the expected schema. `issuePath` locates the problem. */
export class ResponseShapeError extends ScalekitError {
  readonly issuePath: string;

  constructor(message: string, context: ScalekitErrorContext & { issuePath: string }) {
    super('ERR_SCALEKIT_RESPONSE_SHAPE', message, context);
    this.issuePath = context.issuePath;
  }
}

/** Type guard for every error the Scalekit client throws on purpose. */
export function isScalekitError(value: unknown): value is ScalekitError {
  return value instanceof ScalekitError;
}
