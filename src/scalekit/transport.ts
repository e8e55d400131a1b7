import type { Dispatcher } from 'undici';
import { findNetworkCode } from '../retry/network-errors.js';
import { withAttemptSignal } from '../retry/with-attempt-signal.js';
import { NetworkError, TimeoutError, type HttpMethod } from './errors.js';

/** What the client hands to `fetch`. `dispatcher` is undici's connection pool. */
export interface FetchInit {
  method: HttpMethod;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  dispatcher?: Dispatcher;
}

/** The part of a fetch `Response` the client reads. */
export interface FetchResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** An injectable transport: undici's `fetch` fits; tests may pass a scripted one. */
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponse>;

/** One HTTP exchange, body read in full. */
export interface RawResponse {
  status: number;
  bodyText: string;
  retryAfter: string | null;
}

/** One attempt of one request. */
export interface SendRequest {
  method: HttpMethod;
  routeTemplate: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** The caller's signal; its abort is rethrown as-is (`signal.reason`), never as a Scalekit error. */
  signal?: AbortSignal | undefined;
}

/** The message of the deepest cause (undici's `fetch failed` hides e.g. "bad port" there). */
function innermostMessage(error: unknown): string | undefined {
  let message: string | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    message = current.message;
    current = current.cause;
  }
  return message;
}

/**
 * Sends one request and reads the whole body, under a timeout of `timeoutMs` that covers both.
 * Throws `TimeoutError` on timeout, `NetworkError` when the connection fails, and the caller's
 * abort reason when the caller aborts. Any HTTP status is a normal return.
 */
export async function sendOnce(
  fetchFn: FetchLike,
  dispatcher: Dispatcher | undefined,
  request: SendRequest,
): Promise<RawResponse> {
  const context = { method: request.method, routeTemplate: request.routeTemplate };
  return withAttemptSignal(request.signal, request.timeoutMs, async (attempt) => {
    const init: FetchInit = { method: request.method, headers: request.headers, signal: attempt.signal };
    if (request.body !== undefined) init.body = request.body;
    if (dispatcher !== undefined) init.dispatcher = dispatcher;
    try {
      const response = await fetchFn(request.url, init);
      const bodyText = await response.text();
      return { status: response.status, bodyText, retryAfter: response.headers.get('retry-after') };
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      if (attempt.timedOut()) {
        throw new TimeoutError(
          `no complete response within ${request.timeoutMs} ms; the server may or may not have acted on it`,
          { ...context, timeoutMs: request.timeoutMs, cause: error },
        );
      }
      const networkCode = findNetworkCode(error);
      throw new NetworkError(
        `connection failed (${networkCode ?? innermostMessage(error) ?? 'unknown cause'}); check the environment URL and the network`,
        { ...context, networkCode, cause: error },
      );
    }
  });
}
