import type { Logger } from 'pino';
import type { Config } from './config.js';
import { ConfigError } from './errors.js';
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

/**
 * The domain rules from configuration (and `--region`). Throws a `ConfigError` naming `--region`
 * when the flag is given but empty or not a configured region (see `checkRegionFlag`).
 */
export function domainRules(config: Config, fixedRegion?: string): DomainRules {
  const problem = checkRegionFlag(fixedRegion, config.regions);
  if (problem) throw new ConfigError([problem]);
  return {
    regions: config.regions,
    metadataKeys: config.metadataKeys,
    fixedRegion: fixedRegion === undefined ? undefined : fixedRegion.trim().toLowerCase(),
  };
}

/**
 * What is wrong with a `--region` value, or null: it must name one of the configured regions (one
 * configuration error, rather than the same row error on every row); `--region ''` is an error too.
 */
export function checkRegionFlag(value: string | undefined, regions: readonly string[]): string | null {
  if (value === undefined) return null;
  const region = value.trim().toLowerCase();
  const allowed = regions.join(', ');
  if (region === '')
    return `--region is empty: give one of ${allowed}, or leave the flag out to read each row's region column`;
  if (!regions.includes(region))
    return (
      `--region ${JSON.stringify(value.slice(0, 60))} is not a configured region: use one of ${allowed}, ` +
      'or add it to ORGSYNC_REGIONS (a comma-separated list, e.g. ORGSYNC_REGIONS=us-east,eu-west)'
    );
  return null;
}

/** The columns a source must have. */
export function requiredColumns(rules: DomainRules): string[] {
  return DEFAULT_REQUIRED_COLUMNS.filter((column) => !(rules.fixedRegion && column === 'region'));
}

/** Every column orgsync reads from a record: the required ones, `region` (even with a fixed region), the owned metadata keys. */
export function readColumns(rules: DomainRules): string[] {
  return [...DEFAULT_REQUIRED_COLUMNS, ...rules.metadataKeys];
}
