import {
  LogController,
  fastify,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { AdminCredentials } from './basic-auth.js';
import { createBasicAuthHook } from './basic-auth.js';
import type { FailureLimit } from './failure-limiter.js';
import { createRouteIndex } from './allowed-methods.js';
import { createClientErrorHandler } from './client-errors.js';
import { createErrorHandler, createNotFoundHandler, sendError } from './http-error.js';
import { applySecurityHeaders, setSecurityHeaders } from './security-headers.js';
import type { HttpMetrics } from './metrics.js';
import type { Readiness } from './readiness.js';
import type { RunHistoryReader } from './run-history-reader.js';
import { ADMIN_QUEUES_PATH, registerAdminQueues } from './routes/admin-queues.js';
import { healthzRoute } from './routes/healthz.js';
import { metricsRoute } from './routes/metrics.js';
import { readyzRoute } from './routes/readyz.js';
import { runDetailRoute } from './routes/run-detail.js';
import { runReportJsonRoute } from './routes/run-report-json.js';
import { runResultsCsvRoute } from './routes/run-results-csv.js';
import { RUNS_LIST_PATH, runsListRoute } from './routes/runs-list.js';
import { registerWebhookRoutes, type WebhookRoutesOptions } from './webhooks/register-webhook-routes.js';

/** Limits of the HTTP server; the defaults suit a service behind a load balancer. */
export interface HttpTimeouts {
  /** Idle keep-alive connections close after this many ms. Default 72000 (longer than a typical load balancer's 60 s idle timeout, so the balancer closes first). */
  keepAliveTimeoutMs: number;
  /** The request headers must arrive within this many ms (slow-loris guard). Default 10000. */
  headersTimeoutMs: number;
  /** A whole request, body included, must arrive within this many ms. Default 30000. */
  requestTimeoutMs: number;
  /**
   * How often Node checks the two limits above. Default 1000: a slow client is cut within about a
   * second of its limit (Node's own default, 30 s, let one hold a connection for up to 30 s more).
   */
  connectionsCheckingIntervalMs: number;
}

/** Default limits (see `HttpTimeouts`). */
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  keepAliveTimeoutMs: 72_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  connectionsCheckingIntervalMs: 1_000,
};

/** Open connections allowed at once; further ones are closed as they arrive. */
export const DEFAULT_MAX_CONNECTIONS = 1_000;

/** Request bodies above this many bytes get 413. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** The admin pages (`/admin/queues`, `/runs`); without them those routes answer 404. */
export interface AdminPagesOptions {
  credentials: AdminCredentials;
  queues: readonly Queue[];
  runHistory: RunHistoryReader;
  /** bull-board read-only. Default `true`. */
  dashboardReadOnly?: boolean;
  /** Failed admin logins allowed per client address. Default 10, then one a minute. */
  loginFailureLimit?: FailureLimit | undefined;
}

/** Options of `createHttpServer`: every collaborator, already built (style §5). */
export interface HttpServerOptions {
  logger: Logger;
  metrics: HttpMetrics;
  readiness: () => Promise<Readiness>;
  webhooks: Omit<WebhookRoutesOptions, 'metrics' | 'logger'>;
  /** `undefined`: the admin login is not configured, and the admin pages are off. */
  admin?: AdminPagesOptions | undefined;
  timeouts?: Partial<HttpTimeouts>;
  /** Default `DEFAULT_MAX_CONNECTIONS` (1000). */
  maxConnections?: number | undefined;
}

/** Whether the request announced a body that has not all arrived yet. */
function bodyUnread(request: FastifyRequest): boolean {
  const { headers } = request;
  const announced = headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
  return announced && !request.raw.complete;
}

/** Probes are scraped every few seconds: their log lines go at debug level. */
const QUIET_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

function logRequest(logger: Logger, request: FastifyRequest, statusCode: number, elapsedMs: number): void {
  const route = request.routeOptions.url;
  const line = {
    request_id: request.id,
    method: request.method,
    // The route template, not the URL: no IDs or query strings (which could carry anything) in logs.
    route: route ?? 'unmatched',
    status: statusCode,
    duration_ms: Math.round(elapsedMs * 10) / 10,
  };
  if (route !== undefined && QUIET_ROUTES.has(route) && statusCode < 400) logger.debug(line, 'request');
  else logger.info(line, 'request');
}

function registerAdminOff(app: FastifyInstance): void {
  const off = (_request: FastifyRequest, reply: FastifyReply) =>
    sendError(
      reply,
      404,
      'not_enabled',
      'the admin pages are off: set ORGSYNC_ADMIN_USER and ORGSYNC_ADMIN_PASSWORD to enable them',
    );
  for (const url of [ADMIN_QUEUES_PATH, `${ADMIN_QUEUES_PATH}/*`, RUNS_LIST_PATH, `${RUNS_LIST_PATH}/*`])
    app.get(url, off);
}

/**
 * Builds the HTTP service (not yet listening): probes, metrics, webhooks, and, when the admin login
 * is configured, the bull-board dashboard and the run pages. Every 4xx/5xx body has the shape
 * `{"error": {"code", "message"}}`. Request lines are logged without bodies or query strings.
 */
export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const timeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...options.timeouts };
  const logger = options.logger.child({ component: 'http' });
  // Widened on purpose: typed as pino's Logger, the instance would not fit the plain FastifyInstance type.
  const loggerInstance: FastifyBaseLogger = logger;
  const handleError = createErrorHandler(logger);
  const app = fastify({
    loggerInstance,
    // One line per request from our onResponse hook instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    http: {
      headersTimeout: timeouts.headersTimeoutMs,
      connectionsCheckingInterval: timeouts.connectionsCheckingIntervalMs,
    },
    // Node's own refusals (malformed request, headers over 16 KiB, too slow) and fastify's routing
    // errors (a bad percent-encoding, an over-long path parameter) in the one error shape.
    clientErrorHandler: createClientErrorHandler(logger, timeouts),
    frameworkErrors: (error, request, reply) => {
      applySecurityHeaders(reply);
      return handleError(error, request, reply);
    },
    // While closing, new requests get 503 and idle keep-alive connections are closed.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  app.server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  app.setErrorHandler(handleError);
  const routes = createRouteIndex();
  app.addHook('onRoute', (route) => routes.onRoute(route));
  const notFound = createNotFoundHandler((path) => routes.allowedMethods(path));
  // Answered in onRequest, before a body is read: a wrong method gets 405 whatever it sends.
  app.addHook('onRequest', async (request, reply) => (request.is404 ? notFound(request, reply) : undefined));
  app.setNotFoundHandler(notFound);
  app.addHook('onSend', setSecurityHeaders);
  app.addHook('onResponse', async (request, reply) => logRequest(logger, request, reply.statusCode, reply.elapsedTime));
  // A keep-alive connection busy when close() began would otherwise stay open, idle, until its
  // keep-alive timeout: answers sent while closing end their connection. So does an error answered
  // before its body arrived (a refused 1 MiB post): the rest is not read and discarded.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (request, reply) => {
    if (closing || (reply.statusCode >= 400 && bodyUnread(request))) reply.header('connection', 'close');
  });

  app.route(healthzRoute());
  app.route(readyzRoute(options.readiness));
  app.route(metricsRoute(options.metrics.registry));
  await registerWebhookRoutes(app, { ...options.webhooks, metrics: options.metrics, logger });

  const admin = options.admin;
  if (admin === undefined) {
    registerAdminOff(app);
  } else {
    const requireAdmin = createBasicAuthHook({
      credentials: admin.credentials,
      logger,
      failureLimit: admin.loginFailureLimit,
    });
    await registerAdminQueues(app, {
      queues: admin.queues,
      requireAdmin,
      readOnly: admin.dashboardReadOnly ?? true,
      logger,
    });
    await app.register(async (scope) => {
      scope.addHook('onRequest', requireAdmin);
      scope.route(runsListRoute(admin.runHistory));
      scope.route(runDetailRoute(admin.runHistory));
      scope.route(runReportJsonRoute(admin.runHistory));
      scope.route(runResultsCsvRoute(admin.runHistory));
    });
  }
  return app;
}
