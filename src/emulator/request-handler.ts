import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  badRequest,
  isApiError,
  rateLimited,
  routingError,
  serverFault,
  unauthenticated,
  type ApiError,
} from './api-error.js';
import { handleApiRequest } from './api-handlers.js';
import { matchApiRoute, UNMATCHED_ROUTE } from './api-router.js';
import { ADMIN_PREFIX, handleAdminRequest } from './admin-routes.js';
import type { RequestOutcome } from './counters.js';
import type { FaultDecision } from './faults.js';
import { parseJsonBody, readBodyText, sendApiError, sendBadGateway, sendJsonText } from './http-io.js';
import type { PendingWork } from './pending-work.js';
import type { EmulatorRuntime } from './runtime.js';
import { handleTokenRequest } from './token-route.js';

/** The subset of a pino logger the emulator uses. */
export interface EmulatorLogger {
  debug(details: object, message: string): void;
  error(details: object, message: string): void;
}

const TOKEN_PATH = '/oauth/token';

/** What to count for one served request. */
interface Served {
  route: string;
  outcome: RequestOutcome;
  faulted: boolean;
}

/** Delivers an injected fault; returns the outcome to count. */
function deliverFault(res: ServerResponse, fault: FaultDecision): RequestOutcome {
  switch (fault.kind) {
    case 'http-500':
      sendApiError(res, serverFault(500));
      return 500;
    case 'http-503':
      sendApiError(res, serverFault(503));
      return 503;
    case 'http-502':
      sendBadGateway(res);
      return 502;
    case 'drop':
      res.socket?.destroy();
      return 'dropped';
    case 'timeout':
      // Answer nothing: the client gives up, or close() destroys the socket.
      return 'timeout';
  }
}

function checkBearer(runtime: EmulatorRuntime, authorization: string | undefined): ApiError | null {
  const token = /^Bearer\s+(.*)$/i.exec(authorization ?? '')?.[1]?.trim() ?? '';
  if (token === '') return unauthenticated('Token empty');
  const status = runtime.tokens.check(token);
  if (status === 'expired') return unauthenticated('token expired');
  if (status === 'unknown') return unauthenticated('invalid token');
  return null;
}

/** Builds the server's request listener. */
export function createRequestHandler(
  runtime: EmulatorRuntime,
  pending: PendingWork,
  logger?: EmulatorLogger,
): (req: IncomingMessage, res: ServerResponse) => void {
  /** Serves one /api/v1 request; returns what to count, or null when the server closed meanwhile. */
  async function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
    query: URLSearchParams,
    bodyText: string,
  ): Promise<Served | null> {
    if (!(await pending.sleep(runtime.knobs.latencyMs))) return null;
    const limit = runtime.rateLimiter?.take();
    const match = matchApiRoute(method, path);
    const template = isApiError(match) ? UNMATCHED_ROUTE : match.template;
    if (limit && !limit.allowed) {
      sendApiError(
        res,
        rateLimited(),
        runtime.knobs.rateLimit?.retryAfter ? { 'retry-after': String(limit.retryAfterSeconds) } : {},
      );
      return { route: template, outcome: 429, faulted: false };
    }
    if (isApiError(match)) {
      sendApiError(res, match);
      return { route: template, outcome: match.httpStatus, faulted: false };
    }
    const authProblem = checkBearer(runtime, req.headers.authorization);
    if (authProblem) {
      sendApiError(res, authProblem);
      return { route: template, outcome: 401, faulted: false };
    }
    const fault = runtime.faults.decide(method, template);
    if (fault?.phase === 'before') return { route: template, outcome: deliverFault(res, fault), faulted: true };
    const parsed = parseJsonBody(bodyText);
    const result = parsed.ok
      ? handleApiRequest(runtime.store, { match, query, body: parsed.value })
      : badRequest(parsed.message);
    if (!isApiError(result) && result.write) runtime.counters.recordWrite(result.write);
    if (fault) return { route: template, outcome: deliverFault(res, fault), faulted: true };
    if (isApiError(result)) {
      sendApiError(res, result);
      return { route: template, outcome: result.httpStatus, faulted: false };
    }
    sendJsonText(res, result.status, result.bodyText);
    return { route: template, outcome: result.status, faulted: false };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedMs = performance.now();
    const arrivedAtMs = runtime.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    const bodyText = await readBodyText(req);
    if (bodyText === null) {
      sendApiError(res, badRequest('request body too large'));
      return;
    }
    if (path.startsWith(ADMIN_PREFIX)) {
      const parsed = parseJsonBody(bodyText);
      const answer = parsed.ok
        ? handleAdminRequest(runtime, method, path, parsed.value)
        : { status: 400, body: { error: { code: 'invalid_json', message: parsed.message } } };
      sendJsonText(res, answer.status, JSON.stringify(answer.body));
      return;
    }
    let kind: 'api' | 'token' | 'other' = 'other';
    let route = UNMATCHED_ROUTE;
    let outcome: RequestOutcome;
    let faulted = false;
    if (path === TOKEN_PATH) {
      kind = 'token';
      route = TOKEN_PATH;
      if (!(await pending.sleep(runtime.knobs.latencyMs))) return;
      const answer =
        method === 'POST'
          ? handleTokenRequest(
              bodyText,
              req.headers['content-type'],
              req.headers.authorization,
              runtime.credentials,
              runtime.tokens,
            )
          : { status: 405, body: { error: 'invalid_request', error_description: 'use POST' } };
      sendJsonText(res, answer.status, JSON.stringify(answer.body), { 'cache-control': 'no-store' });
      outcome = answer.status;
    } else if (path.startsWith('/api/')) {
      kind = 'api';
      const served = await handleApi(req, res, method, path, query, bodyText);
      if (!served) return;
      ({ route, outcome, faulted } = served);
    } else {
      sendApiError(res, routingError('not-found'));
      outcome = 404;
    }
    runtime.counters.record(kind, method, route, outcome, faulted, arrivedAtMs);
    logger?.debug(
      { method, url, route, outcome, durationMs: Math.round(performance.now() - startedMs) },
      'emulator request',
    );
  }

  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      logger?.error({ err: error, method: req.method, url: req.url }, 'emulator request failed');
      sendApiError(res, serverFault(500));
    });
  };
}
