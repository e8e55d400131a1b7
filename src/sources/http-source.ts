import { setTimeout as sleepMs } from 'node:timers/promises';
import type { Logger } from 'pino';
import { ConfigError, SourceError } from '../errors.js';
import { fetchJson, type FetchJsonOptions } from './http/fetch-json.js';
import { parsePage, type AccountPage } from './http/parse-page.js';
import { redactUrl } from './http/redact-url.js';
import { formatInstant, parseInstantLoosely, sinceOption } from './instant.js';
import { columnKey, type SourceRecord } from '../domain/account-record.js';
import { normalizeRegion } from '../domain/external-id.js';
import type { LookupSource } from './source.js';
import { createColumnRenamer, type ColumnMapping, type ColumnRenamer } from './column-map.js';

/** Options of `createHttpSource`. Durations in milliseconds. */
export interface HttpSourceOptions {
  /** The first page: an `http(s)://` URL answering `{"accounts": [...], "next": URL-or-null}`. */
  url: string;
  /**
   * Bearer token (`ORGSYNC_SOURCE_TOKEN`). Sent only to the origin of `url` (no `next` and no
   * redirect leads elsewhere); never logged. With a token, `url` must be https unless its host is loopback.
   */
  token?: string | undefined;
  /**
   * Incremental run: adds `updated_since=<RFC 3339>` to the first page's URL, with every digit of
   * the instant (an `Instant`, RFC 3339 text or a `Date`).
   */
  since?: string | Date | undefined;
  /** A page whose body is larger fails the run (`ORGSYNC_SOURCE_MAX_PAGE_BYTES`). Default 16 MiB. */
  maxPageBytes?: number | undefined;
  /** A run reads at most this many pages; a `next` beyond fails it (`ORGSYNC_SOURCE_MAX_PAGES`). Default 10 000. */
  maxPages?: number | undefined;
  /** Fields the accounts must have (orgsync's names, see `columnMap`): at least one account of the first non-empty page must carry each. */
  requiredColumns?: readonly string[];
  /**
   * `--map` / ORGSYNC_COLUMN_MAP: the page field each mapped field is read from (checked against the
   * first non-empty page: a field no account has is a `ConfigError`); records carry orgsync's names,
   * and an account lookup filters by the mapped fields (`?<field of account_id>=...`).
   */
  columnMap?: readonly ColumnMapping[] | undefined;
  /** Per attempt, headers and body included. Default 30 000. */
  timeoutMs?: number;
  /** Attempts per request, the first included. Default 4. */
  maxAttempts?: number;
  /** Backoff before the second attempt, before jitter; doubles each time. Default 500. */
  baseDelayMs?: number;
  /** Cap on one backoff delay. Default 30 000. */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this fails the request instead of stalling the run. Default 60 000. */
  maxRetryAfterMs?: number;
  /** The transport; global `fetch` by default. */
  fetch?: typeof fetch;
  /** Waits between attempts; rejects with the signal's reason when it fires. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source in [0, 1). Default `Math.random`. */
  random?: () => number;
  logger?: Pick<Logger, 'debug' | 'warn'>;
}

export const DEFAULT_MAX_PAGE_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_PAGES = 10_000;

/** `localhost`, 127.0.0.0/8 and `[::1]`: traffic that never leaves the machine. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function parseSourceUrl(text: string, token: string | undefined): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not echoed: the text may hold credentials.
    throw new ConfigError(['--source: not a valid URL (expected http(s)://HOST/PATH)']);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError([`--source: an HTTP source must be an http(s) URL, got ${url.protocol}`]);
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError([
      `--source ${redactUrl(url)}: the URL must not hold credentials; pass a bearer token in ORGSYNC_SOURCE_TOKEN`,
    ]);
  }
  if (token !== undefined && url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new ConfigError([
      `ORGSYNC_SOURCE_TOKEN is set, but the source ${redactUrl(url)} is plain http: the token would cross the network unencrypted; use https:// (plain http is accepted only on loopback: localhost, 127.0.0.1, [::1])`,
    ]);
  }
  return url;
}

function toRecord(values: Record<string, string | null>, required: readonly string[], line: number): SourceRecord {
  for (const key of required) values[key] ??= null;
  const raw = values['updated_at'];
  // Every digit the API sent is kept (nanoseconds too), so the watermark never falls behind it.
  const updatedAt = raw === null || raw === undefined ? undefined : parseInstantLoosely(raw);
  return updatedAt === undefined ? { line, values } : { line, values, updatedAt };
}

function renamedValues(values: Record<string, string | null>, renamer: ColumnRenamer): Record<string, string | null> {
  return renamer.identity ? values : renamer.rename({ line: 0, values }).values;
}

function renamedPage(page: AccountPage, renamer: ColumnRenamer): AccountPage {
  return renamer.identity ? page : { ...page, accounts: page.accounts.map((values) => renamedValues(values, renamer)) };
}

/** Throws when some required field appears in no account of the page: the API's shape differs from ours. */
function assertFields(page: AccountPage, required: readonly string[], label: string): void {
  const present = new Set(page.accounts.flatMap((values) => Object.keys(values)));
  const missing = required.filter((key) => !present.has(key));
  if (missing.length === 0) return;
  throw new SourceError(
    `${label}: no account has the required field${missing.length === 1 ? '' : 's'} ${missing.join(', ')}; the accounts have: ${[...present].join(', ') || '(none)'}`,
  );
}

/**
 * Reads accounts from a JSON API, page after page, following `next` (relative URLs resolve against
 * the page's URL). Retries transient failures; refuses a `next` or a redirect that leaves the
 * first page's origin (the token would follow it), a `next` that points back to a page already
 * read or beyond `maxPages`, and a page larger than `maxPageBytes`.
 */
export function createHttpSource(options: HttpSourceOptions): LookupSource {
  const baseUrl = parseSourceUrl(options.url, options.token);
  const since = options.since === undefined ? undefined : sinceOption(options.since);
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const maxPageBytes = options.maxPageBytes ?? DEFAULT_MAX_PAGE_BYTES;
  if (!Number.isInteger(maxPages) || maxPages < 1)
    throw new ConfigError([`maxPages must be a positive integer, got ${maxPages}`]);
  if (!Number.isInteger(maxPageBytes) || maxPageBytes < 1)
    throw new ConfigError([`maxPageBytes must be a positive integer, got ${maxPageBytes}`]);
  const description = redactUrl(baseUrl);
  const required = (options.requiredColumns ?? []).map(columnKey);
  const renamer = createColumnRenamer(options.columnMap);
  const fetchOptions: FetchJsonOptions = {
    token: options.token,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxAttempts: options.maxAttempts ?? 4,
    baseDelayMs: options.baseDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 30_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
    maxPageBytes,
    fetch: options.fetch ?? fetch,
    sleep: options.sleep ?? ((ms, signal) => sleepMs(ms, undefined, { signal })),
    random: options.random ?? Math.random,
    now: Date.now,
    logger: options.logger,
    description,
  };

  async function* records(signal: AbortSignal | undefined): AsyncGenerator<SourceRecord> {
    let url: URL | null = new URL(baseUrl.href);
    if (since !== undefined) url.searchParams.set('updated_since', formatInstant(since));
    const seen = new Map<string, number>();
    let line = 0;
    let checked = required.length === 0 && renamer.identity;
    for (let pageNumber = 1; url !== null; pageNumber += 1) {
      seen.set(url.href, pageNumber);
      const label = `page ${pageNumber}`;
      const page = parsePage(await fetchJson(url, label, fetchOptions, signal), label, url);
      if (!checked && page.accounts.length > 0) {
        renamer.assertColumns(
          page.accounts.flatMap((values) => Object.keys(values)),
          `${label} of ${description}`,
        );
        assertFields(renamedPage(page, renamer), required, label);
        checked = true;
      }
      for (const values of page.accounts) {
        line += 1;
        yield toRecord(renamedValues(values, renamer), required, line);
      }
      if (page.next !== null) {
        const where = `${label} (${redactUrl(url)})`;
        if (page.next.origin !== baseUrl.origin) {
          throw new SourceError(
            `${where}: \`next\` leads to another origin (${page.next.origin}); refusing to send the token there`,
          );
        }
        const earlier = seen.get(page.next.href);
        if (earlier !== undefined) {
          throw new SourceError(
            `${where}: \`next\` points back to page ${earlier} (${redactUrl(page.next)}); the API's pagination loops`,
          );
        }
        if (pageNumber >= maxPages) {
          throw new SourceError(
            `${where}: \`next\` asks for page ${pageNumber + 1}, but a run reads at most ${maxPages} pages (ORGSYNC_SOURCE_MAX_PAGES); the API's pagination does not seem to end`,
          );
        }
      }
      url = page.next;
    }
    options.logger?.debug({ source: description, records: line }, 'HTTP source read');
  }

  async function findAccount(
    accountId: string,
    region?: string,
    findOptions?: { signal?: AbortSignal },
  ): Promise<SourceRecord | null> {
    const url = new URL(baseUrl.href);
    const id = accountId.trim();
    const wantedRegion = region === undefined ? undefined : normalizeRegion(region);
    // The API is asked in its own field names (`--map`), and answers in them.
    url.searchParams.set(renamer.columnOf('account_id'), id);
    if (wantedRegion !== undefined) url.searchParams.set(renamer.columnOf('region'), wantedRegion);
    const label = 'account lookup';
    const page = renamedPage(
      parsePage(await fetchJson(url, label, fetchOptions, findOptions?.signal), label, url),
      renamer,
    );
    // The API is asked to filter, but only an exact match is trusted. An account without a region
    // (a source with one fixed region, `--region`) matches on its id alone.
    const match = page.accounts.find((values) => {
      const accountRegion = values['region'];
      return (
        values['account_id']?.trim() === id &&
        (wantedRegion === undefined ||
          accountRegion === null ||
          accountRegion === undefined ||
          normalizeRegion(accountRegion) === wantedRegion)
      );
    });
    return match === undefined ? null : toRecord(match, required, 1);
  }

  return { description, records: (recordOptions) => records(recordOptions?.signal), findAccount };
}
