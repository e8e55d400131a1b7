import type { Logger } from 'pino';
import type { Config, ScalekitConfig } from './config.js';
import { ConfigError } from './errors.js';
import type { DomainRules } from './domain/types.js';
import { normalizeRegion } from './domain/external-id.js';
import { createScalekitClient } from './scalekit/client.js';
import type { ScalekitClientOptions } from './scalekit/client-options.js';
import type { ScalekitApi } from './scalekit/api.js';
import type { RateBudget } from './scalekit/rate-budget.js';
import { createTokenBucket } from './scalekit/token-bucket.js';
import { createCsvSource, DEFAULT_REQUIRED_COLUMNS } from './sources/csv-source.js';
import { createSourceFromSpec, type SourceSettings } from './sources/from-spec.js';
import type { AccountSource } from './sources/source.js';

/**
 * The composition root (style §5.6): only this file and `src/app/` know the concrete adapters.
 * It builds the Scalekit client, the sources and the domain rules from configuration; `src/app/`
 * builds the worker (Redis, stores, job list), the producer and the HTTP service. The commands
 * parse argv and call these functions; nothing below them imports this layer.
 */

/** A Scalekit client built from configuration, with the closer of its connection pool. */
export interface ScalekitConnection {
  api: ScalekitApi;
  rateBudget: RateBudget;
  close(): Promise<void>;
}

/** Opens a Scalekit client; the worker passes its own (a wrapper in tests), the default is `connectScalekit`. */
export type ConnectScalekit = (
  config: ScalekitConfig,
  logger: Logger,
  options?: { rateBudget?: RateBudget; onRequest?: ScalekitClientOptions['onRequest'] },
) => ScalekitConnection;

/**
 * A Scalekit client from configuration that has the Scalekit settings (`loadConfig` with
 * `require: SCALEKIT_SETTINGS` reports missing ones by name). `rateBudget` defaults to an
 * in-process token bucket at ORGSYNC_RATE_LIMIT.
 */
export const connectScalekit: ConnectScalekit = (config, logger, options = {}) => {
  const rateBudget = options.rateBudget ?? createTokenBucket({ ratePerSecond: config.rateLimit });
  const client = createScalekitClient({
    environmentUrl: config.scalekitEnvironmentUrl,
    clientId: config.scalekitClientId,
    clientSecret: config.scalekitClientSecret,
    rateBudget,
    timeoutMs: config.requestTimeoutMs,
    logger: logger.child({ component: 'scalekit' }),
    onRequest: options.onRequest,
  });
  return { api: client, rateBudget, close: () => client.close() };
};

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
    fixedRegion: fixedRegion === undefined ? undefined : normalizeRegion(fixedRegion),
  };
}

/**
 * What is wrong with a `--region` value, or null: it must name one of the configured regions (one
 * configuration error, rather than the same row error on every row); `--region ''` is an error too.
 */
export function checkRegionFlag(value: string | undefined, regions: readonly string[]): string | null {
  if (value === undefined) return null;
  const region = normalizeRegion(value);
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

/** Flags that shape how a source is read (`--delimiter`, `--encoding`, `--since`). */
export interface SourceFlags {
  delimiter?: string | undefined;
  encoding?: string | undefined;
  /** Incremental runs: only accounts updated after this instant (`--since`). */
  since?: string | undefined;
}

/** Everything a source may need besides its spec: the one place the CLI and the worker assemble it. */
export function sourceSettings(config: Config, rules: DomainRules, flags: SourceFlags = {}): SourceSettings {
  return {
    requiredColumns: requiredColumns(rules),
    readColumns: readColumns(rules),
    delimiter: flags.delimiter ?? config.csvDelimiter,
    encoding: flags.encoding ?? config.csvEncoding,
    since: flags.since,
    databaseUrl: config.databaseUrl,
    pgQuery: config.pgQuery,
    sourceToken: config.sourceToken,
    sourceMaxPageBytes: config.sourceMaxPageBytes,
    sourceMaxPages: config.sourceMaxPages,
    columnMap: config.columnMap,
  };
}

/** The source a `--source` spec (or ORGSYNC_SOURCE) names: csv:PATH, postgres:, or an http(s) URL. */
export function createSource(spec: string, config: Config, rules: DomainRules, flags?: SourceFlags): AccountSource {
  return createSourceFromSpec(spec, sourceSettings(config, rules, flags));
}

/**
 * The rules of the host source's records (nightly sync, reconciles): the configured ones, with
 * ORGSYNC_REGION as the fixed region when it is set.
 */
export function hostRules(config: Config): DomainRules {
  return domainRules(config, config.region);
}

/** The host source (ORGSYNC_SOURCE) of the worker's jobs, or `undefined` when none is configured. */
export function createHostSource(config: Config, rules: DomainRules): AccountSource | undefined {
  return config.source ? createSource(config.source, config, rules) : undefined;
}

/** A CSV file read with the domain rules' columns (`enqueue bulk-import`, the demo). */
export function createCsvFileSource(
  path: string,
  config: Config,
  rules: DomainRules,
  flags: Pick<SourceFlags, 'delimiter' | 'encoding'> = {},
): AccountSource {
  const settings = sourceSettings(config, rules, flags);
  return createCsvSource({
    path,
    delimiter: settings.delimiter,
    encoding: settings.encoding,
    requiredColumns: settings.requiredColumns,
    readColumns: settings.readColumns,
    columnMap: settings.columnMap,
  });
}
