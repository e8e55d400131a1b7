import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { DomainRules } from './domain/types.js';
import { createScalekitClient } from './scalekit/client.js';
import type { ScalekitClientOptions } from './scalekit/client-options.js';
import type { ScalekitApi } from './scalekit/api.js';
import type { RateBudget } from './scalekit/rate-budget.js';
import { createTokenBucket } from './scalekit/token-bucket.js';
import { DEFAULT_REQUIRED_COLUMNS } from './sources/csv-source.js';

/** A Scalekit client built from configuration, with the closer of its connection pool. */
export interface ScalekitConnection {
  api: ScalekitApi;
  rateBudget: RateBudget;
  close(): Promise<void>;
}

/**
 * The composition root's Scalekit part: only this file (and the queue's) knows the concrete
 * adapters. `rateBudget` defaults to an in-process token bucket at ORGSYNC_RATE_LIMIT.
 */
export function connectScalekit(
  config: Config,
  logger: Logger,
  options: { rateBudget?: RateBudget; onRequest?: ScalekitClientOptions['onRequest'] } = {},
): ScalekitConnection {
  const { scalekitEnvironmentUrl, scalekitClientId, scalekitClientSecret } = config;
  if (!scalekitEnvironmentUrl || !scalekitClientId || !scalekitClientSecret) {
    throw new Error(
      'connectScalekit needs SCALEKIT_ENVIRONMENT_URL, SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET (loadConfig should have required them)',
    );
  }
  const rateBudget = options.rateBudget ?? createTokenBucket({ ratePerSecond: config.rateLimit });
  const client = createScalekitClient({
    environmentUrl: scalekitEnvironmentUrl,
    clientId: scalekitClientId,
    clientSecret: scalekitClientSecret,
    rateBudget,
    timeoutMs: config.requestTimeoutMs,
    logger: logger.child({ component: 'scalekit' }),
    onRequest: options.onRequest,
  });
  return { api: client, rateBudget, close: () => client.close() };
}

/** The domain rules from configuration (and `--region`). */
export function domainRules(config: Config, fixedRegion?: string): DomainRules {
  return {
    regions: config.regions,
    metadataKeys: config.metadataKeys,
    fixedRegion: fixedRegion?.trim().toLowerCase() || undefined,
  };
}

/** The columns a source must have. */
export function requiredColumns(rules: DomainRules): string[] {
  return DEFAULT_REQUIRED_COLUMNS.filter((column) => !(rules.fixedRegion && column === 'region'));
}

/** Every column orgsync reads from a record: the required ones, `region` (even with a fixed region), the owned metadata keys. */
export function readColumns(rules: DomainRules): string[] {
  return [...DEFAULT_REQUIRED_COLUMNS, ...rules.metadataKeys];
}
