import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { errorBody, type HttpErrorCode } from './http-error.js';
import { RAW_SECURITY_HEADERS } from './security-headers.js';

/** The limits the messages quote. */
export interface ClientErrorLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

function describe(code: string | undefined, limits: ClientErrorLimits): [number, HttpErrorCode, string] {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return [
      408,
      'request_timeout',
      `the request did not arrive in time: headers within ${limits.headersTimeoutMs / 1000} s, the whole request within ${limits.requestTimeoutMs / 1000} s`,
    ];
  if (code === 'HPE_HEADER_OVERFLOW')
    return [431, 'headers_too_large', 'the request line and headers are larger than the limit of 16 KiB'];
  return [400, 'bad_request', 'the request is not valid HTTP/1.1'];
}

/** Whether a response has already started on this socket (then nothing more may be written to it). */
function responseStarted(socket: Socket): boolean {
  const inFlight: unknown = Reflect.get(socket, '_httpMessage');
  return typeof inFlight === 'object' && inFlight !== null && Reflect.get(inFlight, 'headersSent') === true;
}

/**
 * fastify's `clientErrorHandler`: what Node refuses before fastify sees a request (a malformed
 * request, headers over 16 KiB, a client too slow to send its headers or body) is answered in the
 * one error shape, with the same security headers, and the connection is closed. Nothing from the
 * request is echoed.
 */
export function createClientErrorHandler(logger: Logger, limits: ClientErrorLimits) {
  return function handleClientError(error: Error & { code?: string }, socket: Socket): void {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, code, message] = describe(error.code, limits);
    logger.debug({ status, error_code: error.code ?? 'unknown' }, 'client error');
    if (socket.writable && !responseStarted(socket)) {
      const body = JSON.stringify(errorBody(code, message));
      const head = [
        `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
        'Content-Type: application/json; charset=utf-8',
        `Content-Length: ${Buffer.byteLength(body)}`,
        ...RAW_SECURITY_HEADERS,
        'Connection: close',
      ];
      socket.write(`${head.join('\r\n')}\r\n\r\n${body}`);
    }
    socket.destroy(error);
  };
}
