import { parseRetryAfterMs } from '../retry/retry-after.js';
import { errorBodySchema } from './schemas.js';
import {
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitedError,
  ScalekitError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
  type FieldViolation,
  type HttpMethod,
  type ScalekitErrorContext,
} from './errors.js';

/** A non-2xx response as read off the wire. */
export interface ErrorResponse {
  method: HttpMethod;
  routeTemplate: string;
  status: number;
  /** Raw body text; may be empty, JSON from grpc-gateway, or a proxy's HTML page. */
  bodyText: string;
  /** The `Retry-After` header, if any. */
  retryAfter: string | null;
  /** Current time in epoch milliseconds, to resolve an HTTP-date `Retry-After`. */
  nowMs: number;
  /** Strings scrubbed from the server's message should it echo them (client secret, token). */
  secrets?: readonly string[];
}

const maxServerMessageChars = 300;

function readBody(bodyText: string) {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    // Not JSON (empty body, a proxy's HTML page): the status alone decides the error class.
    return undefined;
  }
  const parsed = errorBodySchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

function scrub(text: string, secrets: readonly string[]): string {
  return secrets.reduce((acc, secret) => (secret === '' ? acc : acc.split(secret).join('[redacted]')), text);
}

function advice(status: number): string {
  if (status === 400) return 'fix the request (see fieldViolations) and try again';
  if (status === 401) return 'check SCALEKIT_CLIENT_ID / SCALEKIT_CLIENT_SECRET and the environment URL';
  if (status === 403) return 'grant these credentials access to the operation';
  if (status === 404) return 'the resource does not exist (it may have been deleted)';
  if (status === 409)
    return 'another resource already holds this value (e.g. the external ID); look it up and update it instead';
  if (status === 429) return 'lower ORGSYNC_RATE_LIMIT or ask Scalekit for a higher limit';
  if (status >= 500) return 'Scalekit or a proxy failed; try again later';
  return 'see the status and error code';
}

/**
 * Turns a non-2xx response into the matching `ScalekitError` subclass. The status picks the class;
 * the grpc-gateway body (`{code, message, details[].error_code, validation_error_info}`) fills
 * `grpcCode`, `errorCode` and `fieldViolations` when it is readable.
 */
export function parseErrorResponse(response: ErrorResponse): ScalekitError {
  const { status, method, routeTemplate } = response;
  const body = readBody(response.bodyText);
  const details = body?.details ?? [];
  const errorCode = details.find((d) => d.error_code !== undefined)?.error_code;
  const fieldViolations: FieldViolation[] = details.flatMap((d) =>
    (d.validation_error_info?.field_violations ?? []).map((v) => ({
      field: v.field ?? '',
      description: v.description ?? '',
      constraint: v.constraint ?? '',
    })),
  );
  const context: ScalekitErrorContext = {
    method,
    routeTemplate,
    status,
    grpcCode: body?.code,
    errorCode,
    retryAfterMs: parseRetryAfterMs(response.retryAfter, response.nowMs),
  };
  const serverMessage = scrub(body?.message ?? '', response.secrets ?? []).slice(0, maxServerMessageChars);
  const what = [`HTTP ${status}`, errorCode, serverMessage === '' ? undefined : `"${serverMessage}"`]
    .filter((part) => part !== undefined)
    .join(' ');
  const message = `${what}; ${advice(status)}`;

  if (status === 400) return new ValidationError(message, { ...context, fieldViolations });
  if (status === 401) return new UnauthenticatedError(message, context);
  if (status === 403) return new PermissionDeniedError(message, context);
  if (status === 404) return new NotFoundError(message, context);
  if (status === 409) return new ConflictError(message, context);
  if (status === 429) return new RateLimitedError(message, context);
  if (status >= 500) return new UnavailableError(message, context);
  return new ScalekitError('ERR_SCALEKIT_HTTP', message, context);
}
