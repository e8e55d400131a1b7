/**
 * orgsync as a library (`import { runSync } from 'orgsync'`): the engine, the Scalekit client,
 * the account sources and the report types. The CLI (`orgsync`) is built from the same parts.
 */

// The engine: one reconcile (read the source, look at Scalekit, diff, and in apply mode write).
export { runSync } from './engine/run.js';
export type { ApplySettings, EngineDeps, Progress, RunOptions, RunResult } from './engine/run.js';
export type { DomainRules } from './domain/types.js';

// The Scalekit client and the rate budget every request passes through.
export { createScalekitClient } from './scalekit/client.js';
export type { ScalekitClient } from './scalekit/client.js';
export type { ScalekitClientOptions } from './scalekit/client-options.js';
export { createTokenBucket, unlimitedBudget } from './scalekit/token-bucket.js';
export type { TokenBucketOptions } from './scalekit/token-bucket.js';
export type { RateBudget } from './scalekit/rate-budget.js';
export type {
  CreateOrganizationInput,
  OrganizationPage,
  ScalekitApi,
  UpdateOrganizationInput,
} from './scalekit/api.js';
export type { Directory, Organization } from './scalekit/schemas.js';
export { ScalekitError, isScalekitError } from './scalekit/errors.js';

// Account sources: CSV, PostgreSQL, an HTTP API, or any of them from a `--source` spec.
export { createCsvSource } from './sources/csv-source.js';
export type { CsvSourceOptions } from './sources/csv-source.js';
export { createPostgresSource } from './sources/postgres-source.js';
export type { PostgresSourceOptions } from './sources/postgres-source.js';
export { createHttpSource } from './sources/http-source.js';
export type { HttpSourceOptions } from './sources/http-source.js';
export { createSourceFromSpec } from './sources/from-spec.js';
export type { SourceSettings } from './sources/from-spec.js';
export type { AccountSource, LookupSource } from './sources/source.js';
export type { SourceRecord } from './domain/account-record.js';
export { ConfigError, SourceError } from './errors.js';

// The report (`report.json`, design section 3).
export type {
  FieldChange,
  ItemAction,
  Report,
  ReportItem,
  ReportSummary,
  RunMode,
  RunReport,
  RunScope,
} from './engine/types.js';
export type { ReportItems } from './engine/report-items.js';
