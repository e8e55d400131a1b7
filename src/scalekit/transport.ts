import type { Dispatcher } from 'undici';
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

/** Finds a `code` string (`ECONNRESET`, `UND_ERR_SOCKET`, ...) on the error or its causes. */
function findNetworkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    if ('code' in current && typeof current.code === 'string') return current.code;
    current = 'cause' in current ? current.cause : undefined;
  }
  return undefined;
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
  if (request.signal?.aborted) throw request.signal.reason;
  // One controller per attempt, wired by hand rather than AbortSignal.any/timeout: the listener on
  // the caller's (long-lived, run-wide) signal and the timer are both released when the attempt ends.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`timed out after ${request.timeoutMs} ms`));
  }, request.timeoutMs);
  const onCallerAbort = (): void => controller.abort(request.signal?.reason);
  request.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const init: FetchInit = { method: request.method, headers: request.headers, signal: controller.signal };
  if (request.body !== undefined) init.body = request.body;
  if (dispatcher !== undefined) init.dispatcher = dispatcher;
  const context = { method: request.method, routeTemplate: request.routeTemplate };
  try {
    const response = await fetchFn(request.url, init);
    const bodyText = await response.text();
    return { status: response.status, bodyText, retryAfter: response.headers.get('retry-after') };
  } catch (error) {
    if (request.signal?.aborted) throw request.signal.reason;
    if (timedOut) {
      throw new TimeoutError(
        `no complete response within ${request.timeoutMs} ms; the server may or may not have acted on it`,
        {
          ...context,
          timeoutMs: request.timeoutMs,
          cause: error,
        },
      );
    }
    const networkCode = findNetworkCode(error);
    throw new NetworkError(
      `connection failed (${networkCode ?? innermostMessage(error) ?? 'unknown cause'}); check the environment URL and the network`,
      {
        ...context,
        networkCode,
        cause: error,
      },
    );
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', onCallerAbort);
  }
}
