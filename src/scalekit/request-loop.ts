import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import type { ApiStats } from './api.js';
import { RateLimitedError, ScalekitError, UnauthenticatedError, type HttpMethod } from './errors.js';
import { parseErrorResponse } from './parse-error-response.js';
import { parseResponseBody } from './parse-response-body.js';
import type { RateBudget } from './rate-budget.js';
import { decideRetry } from '../retry/decide-retry.js';
import { isOutcomeUnknown, retryFailureOf } from './retry-policy.js';
import type { Sleep } from './sleep.js';
import { sendOnce, type FetchLike, type RawResponse } from './transport.js';

/** What the `onRequest` hook hears after every attempt (metrics). */
export interface RequestInfo {
  method: HttpMethod;
  /** e.g. `/api/v1/organizations/{id}` or `/oauth/token`. */
  routeTemplate: string;
  /** HTTP status; `0` when no response arrived (timeout, network error). */
  status: number;
  durationMs: number;
}

/** Supplies bearer tokens; `invalidate` drops `token` if it is still the cached one. */
export interface TokenSource {
  get(signal?: AbortSignal): Promise<string>;
  invalidate(token: string): void;
}

/** One logical call; the loop may send it several times. */
export interface RequestSpec<R> {
  method: HttpMethod;
  routeTemplate: string;
  /** Absolute URL, path already percent-encoded. */
  url: string;
  body?: { json: unknown } | { form: Record<string, string> };
  schema: z.ZodType<R>;
  signal?: AbortSignal | undefined;
  /** Present for `/api/v1` calls: sends `Authorization: Bearer` and refreshes once on a 401. */
  auth?: TokenSource;
  /** Can the same request be sent again after an attempt whose outcome is unknown? */
  idempotent: boolean;
  /**
   * For a non-idempotent call: runs before re-sending after an unknown outcome; returning a value
   * settles the call (e.g. the create turned out to have happened), `undefined` allows the resend.
   * Without it, an unknown outcome of a non-idempotent call is final.
   */
  beforeResend?: (signal: AbortSignal | undefined) => Promise<{ value: R } | undefined>;
  /** Turns a final error into a value (e.g. a delete's 404 after an unknown outcome). */
  recover?: (error: ScalekitError, context: { afterUnknownOutcome: boolean }) => { value: R } | undefined;
}

/** Collaborators and settings of the loop. */
export interface RequestLoopOptions {
  fetch: FetchLike;
  dispatcher: Dispatcher | undefined;
  rateBudget: RateBudget;
  timeoutMs: number;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: Sleep;
  random: () => number;
  now: () => number;
  logger: Logger | undefined;
  onRequest: ((info: RequestInfo) => void) | undefined;
  /** Strings that must never appear in an error message (client secret, current token). */
  secrets: () => string[];
  /** Mutated in place. */
  stats: ApiStats;
}

/** Sends requests through the rate budget with retries, token refresh and response validation. */
export type RequestLoop = <R>(spec: RequestSpec<R>) => Promise<R>;

/** @internal Builds the loop the client's methods share. */
export function createRequestLoop(options: RequestLoopOptions): RequestLoop {
  const { stats, logger } = options;

  function report(info: RequestInfo): void {
    try {
      options.onRequest?.(info);
    } catch (error) {
      logger?.warn({ err: error, route: info.routeTemplate }, 'onRequest hook threw; ignoring it');
    }
  }

  async function attemptOnce<R>(spec: RequestSpec<R>, token: string | undefined): Promise<R> {
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | undefined;
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (spec.body !== undefined && 'json' in spec.body) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.body.json);
    } else if (spec.body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(spec.body.form).toString();
    }
    await options.rateBudget.acquire(spec.signal);
    if (spec.auth === undefined) stats.tokenCalls += 1;
    else stats.apiCalls += 1;
    const startMs = options.now();
    let response: RawResponse;
    try {
      response = await sendOnce(options.fetch, options.dispatcher, {
        method: spec.method,
        routeTemplate: spec.routeTemplate,
        url: spec.url,
        headers,
        ...(body === undefined ? {} : { body }),
        timeoutMs: options.timeoutMs,
        signal: spec.signal,
      });
    } catch (error) {
      report({
        method: spec.method,
        routeTemplate: spec.routeTemplate,
        status: 0,
        durationMs: options.now() - startMs,
      });
      throw error;
    }
    report({
      method: spec.method,
      routeTemplate: spec.routeTemplate,
      status: response.status,
      durationMs: options.now() - startMs,
    });
    if (response.status >= 200 && response.status < 300) return parseResponseBody(spec, response.bodyText);
    throw parseErrorResponse({
      method: spec.method,
      routeTemplate: spec.routeTemplate,
      status: response.status,
      bodyText: response.bodyText,
      retryAfter: response.retryAfter,
      nowMs: options.now(),
      secrets: options.secrets(),
    });
  }

  return async function request<R>(spec: RequestSpec<R>): Promise<R> {
    let attempt = 0;
    let refreshedToken = false;
    let afterUnknownOutcome = false;
    for (;;) {
      attempt += 1;
      const token = spec.auth === undefined ? undefined : await spec.auth.get(spec.signal);
      try {
        return await attemptOnce(spec, token);
      } catch (error) {
        if (spec.signal?.aborted) throw spec.signal.reason;
        if (!(error instanceof ScalekitError)) throw error;
        if (
          error instanceof UnauthenticatedError &&
          token !== undefined &&
          spec.auth !== undefined &&
          !refreshedToken
        ) {
          // The cached token may have expired or been revoked early: fetch a new one, once.
          refreshedToken = true;
          spec.auth.invalidate(token);
          attempt -= 1;
          logger?.debug(
            { method: spec.method, route: spec.routeTemplate },
            'Scalekit answered 401; refreshing the token once',
          );
          continue;
        }
        const recovered = spec.recover?.(error, { afterUnknownOutcome });
        if (recovered !== undefined) return recovered.value;
        const decision = decideRetry({
          failure: retryFailureOf(error),
          attempt,
          maxAttempts: options.maxAttempts,
          baseDelayMs: options.baseDelayMs,
          maxDelayMs: options.maxDelayMs,
          random: options.random,
        });
        const unknownOutcome = isOutcomeUnknown(error);
        if (error instanceof RateLimitedError) {
          // Slow every caller down, even when this call gives up.
          const fallbackMs = Math.min(options.maxDelayMs, error.retryAfterMs ?? options.baseDelayMs);
          await options.rateBudget.pause(decision.retry ? decision.delayMs : fallbackMs);
        }
        if (!decision.retry) throw error;
        if (unknownOutcome && !spec.idempotent && spec.beforeResend === undefined) {
          logger?.warn(
            { method: spec.method, route: spec.routeTemplate, code: error.code },
            'outcome unknown; not re-sending a non-idempotent request',
          );
          throw error;
        }
        const log = {
          method: spec.method,
          route: spec.routeTemplate,
          status: error.status,
          code: error.code,
          attempt,
          delayMs: decision.delayMs,
          reason: decision.reason,
        };
        if (error instanceof RateLimitedError) logger?.debug(log, 'retrying Scalekit call');
        else logger?.warn(log, 'retrying Scalekit call');
        await options.sleep(decision.delayMs, spec.signal);
        if (unknownOutcome && !spec.idempotent && spec.beforeResend !== undefined) {
          const settled = await spec.beforeResend(spec.signal);
          if (settled !== undefined) return settled.value;
        }
        afterUnknownOutcome ||= unknownOutcome;
        if (spec.auth !== undefined) stats.retries += 1;
      }
    }
  };
}
