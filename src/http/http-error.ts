import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

/** Every error code the HTTP service answers with (snake_case, stable: clients match on them). */
export type HttpErrorCode =
  | 'bad_request'
  | 'invalid_json'
  | 'unauthorized'
  | 'invalid_signature'
  | 'not_found'
  | 'not_enabled'
  | 'method_not_allowed'
  | 'request_timeout'
  | 'payload_too_large'
  | 'uri_too_long'
  | 'headers_too_large'
  | 'too_many_requests'
  | 'unsupported_media_type'
  | 'validation_failed'
  | 'webhook_not_configured'
  | 'not_ready'
  | 'service_unavailable'
  | 'internal_error';

/** The one shape of every 4xx/5xx body: `{"error": {"code", "message"}}`. */
export interface HttpErrorBody {
  error: { code: HttpErrorCode; message: string; field?: string };
}

/** Builds the error body; `field` names the offending input field of a 422. */
export function errorBody(code: HttpErrorCode, message: string, field?: string): HttpErrorBody {
  return { error: field === undefined ? { code, message } : { code, message, field } };
}

/** Sends `{"error": {...}}` with `status`; returns the reply so a handler can `return sendError(...)`. */
export function sendError(
  reply: FastifyReply,
  status: number,
  code: HttpErrorCode,
  message: string,
  field?: string,
): FastifyReply {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send(errorBody(code, message, field));
}

/** fastify's own error codes, mapped to ours. */
const FASTIFY_CODES: Record<string, { status: number; code: HttpErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'payload_too_large',
    message: 'the request body is larger than the limit of 1 MiB',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'unsupported Content-Type: send application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'bad_request',
    message: 'the Content-Length header does not match the body',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'invalid_json',
    message: 'the body is empty but Content-Type says application/json',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json', message: 'the body is not valid JSON' },
  FST_ERR_CTP_INVALID_TYPE: {
    status: 400,
    code: 'bad_request',
    message: 'the Content-Type header is not a valid media type',
  },
  FST_ERR_BAD_URL: {
    status: 400,
    code: 'bad_request',
    message:
      'the request URL is malformed (a percent sign not followed by two hex digits, or bytes that are not UTF-8)',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    code: 'uri_too_long',
    message: 'a path segment is longer than 100 characters; run IDs and other path parameters are shorter',
  },
  FST_ERR_ASYNC_CONSTRAINT: {
    status: 400,
    code: 'bad_request',
    message: 'the request does not match any route constraint',
  },
};

function statusCodeOf(error: FastifyError): number | undefined {
  const status = error.statusCode;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599 ? status : undefined;
}

/** The error code of a status, for errors that carry only a status. */
export function codeForStatus(status: number): HttpErrorCode {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 404:
      return 'not_found';
    case 405:
      return 'method_not_allowed';
    case 408:
      return 'request_timeout';
    case 413:
      return 'payload_too_large';
    case 414:
      return 'uri_too_long';
    case 415:
      return 'unsupported_media_type';
    case 422:
      return 'validation_failed';
    case 429:
      return 'too_many_requests';
    case 431:
      return 'headers_too_large';
    case 503:
      return 'service_unavailable';
    default:
      return status >= 500 ? 'internal_error' : 'bad_request';
  }
}

/**
 * fastify's error handler: maps its own errors (bad JSON, too large, unsupported media type...) and
 * anything a handler throws to the one error shape. 5xx are logged with the error (never the body);
 * their message is generic, so internals do not leak to callers.
 */
export function createErrorHandler(logger: Logger) {
  return function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const known = FASTIFY_CODES[error.code];
    if (known) return sendError(reply, known.status, known.code, known.message);
    const status = statusCodeOf(error) ?? 500;
    if (status >= 500) {
      logger.error(
        { err: error, method: request.method, route: request.routeOptions.url ?? 'unmatched', request_id: request.id },
        'request failed',
      );
      return sendError(
        reply,
        status,
        codeForStatus(status),
        `internal error (request ${request.id}); see the service log`,
      );
    }
    // A 4xx from a library (e.g. secure-json-parse's SyntaxError carries 400): its message is safe to show.
    const code = error instanceof SyntaxError ? 'invalid_json' : codeForStatus(status);
    return sendError(reply, status, code, error.message || 'bad request');
  };
}

/**
 * fastify's 404 handler, in the one error shape: 405 with `Allow` when the path exists under other
 * methods only (`allowedMethods`, see `createRouteIndex`), else 404. The query string is never echoed.
 */
export function createNotFoundHandler(allowedMethods: (path: string) => readonly string[]) {
  return function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const path = request.url.split('?')[0] ?? '';
    const allowed = allowedMethods(path);
    // A route of this method that found nothing (a missing static file) is a 404, not a 405.
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      reply.header('allow', allowed.join(', '));
      return sendError(
        reply,
        405,
        'method_not_allowed',
        `${request.method} is not allowed here; use ${allowed.filter((m) => m !== 'HEAD').join(' or ')}`,
      );
    }
    return sendError(reply, 404, 'not_found', `no route for ${request.method} ${path.slice(0, 200)}`);
  };
}
