import { columnKey, type SourceRecord } from './account-record.js';
import type { Account, DomainRules, RowProblem } from './types.js';
import { checkDisplayName, checkMetadataValue, type FieldIssue } from './account-fields.js';
import { codePointLength, controlCharacterPosition, quoteValue } from './characters.js';
import { MAX_EXTERNAL_ID_LENGTH, externalIdOf, normalizeRegion } from './external-id.js';
import { RowErrorCode } from './row-error-codes.js';

/** The outcome of `parseAccount`: a valid account, or the reason the row is `invalid`. */
export type ParseAccountResult = { ok: true; account: Account } | { ok: false; problem: RowProblem };

type Issue = FieldIssue;

/** ASCII text is already NFC: only the rest is normalised (a million IDs, most of them ASCII). */
const NON_ASCII = /[^\p{ASCII}]/u;

/**
 * Turns one source record into an account, applying the rules of design section 2. Never throws:
 * a bad record becomes an `invalid` problem whose `code` is the first issue in column order
 * (account_id, region, external ID, display_name, then the owned metadata keys in configured
 * order) and whose `message` lists every issue, joined by "; ". E-mail addresses are never echoed.
 *
 * An owned metadata key the record does not carry at all (no such column, a field absent from a
 * webhook's account) is left out of `metadata`: it is not managed in this run. A key it carries
 * with an empty value (empty cell, SQL NULL, JSON null, "") is `null`: "remove this key".
 */
export function parseAccount(record: SourceRecord, rules: DomainRules): ParseAccountResult {
  const issues: Issue[] = [];
  const accountId = checkAccountId(cell(record, 'account_id'), issues);
  const region = checkRegion(cell(record, 'region'), rules, issues);
  let externalId: string | undefined;
  if (accountId !== undefined && region !== undefined) {
    externalId = externalIdOf(region, accountId);
    const length = codePointLength(externalId);
    if (length > MAX_EXTERNAL_ID_LENGTH) {
      issues.push({
        code: RowErrorCode.EXTERNAL_ID_TOO_LONG,
        field: 'account_id',
        message:
          `the external ID (region + "-" + account_id) would be ${length} characters long, but Scalekit allows at most ` +
          `${MAX_EXTERNAL_ID_LENGTH}: shorten account_id to at most ${MAX_EXTERNAL_ID_LENGTH - codePointLength(region) - 1} characters`,
      });
    }
  }
  const displayName = checkDisplayName(cell(record, 'display_name'), issues);
  // fromEntries, not assignment: a configured key named `__proto__` must stay an own property.
  const entries: [string, string | null][] = [];
  for (const key of rules.metadataKeys) {
    const raw = cell(record, columnKey(key));
    if (raw !== undefined) entries.push([key, checkMetadataValue(key, raw, issues)]);
  }
  const metadata = Object.fromEntries(entries);

  const first = issues[0];
  if (first !== undefined) {
    return {
      ok: false,
      problem: {
        line: record.line,
        accountId,
        externalId: issues.some((i) => i.code === RowErrorCode.EXTERNAL_ID_TOO_LONG) ? undefined : externalId,
        action: 'invalid',
        code: first.code,
        field: first.field,
        message: issues.map((i) => i.message).join('; '),
      },
    };
  }
  if (accountId === undefined || region === undefined || externalId === undefined || displayName === undefined) {
    // Unreachable: each undefined above came with an issue. Kept so the types need no cast.
    throw new Error('parseAccount: a field is missing although no issue was recorded');
  }
  return { ok: true, account: { line: record.line, accountId, region, externalId, displayName, metadata } };
}

/**
 * The raw value of a column, reading own properties only (a column may be named `constructor`):
 * `undefined` when the record has no such column, `null` for an empty (NULL) value.
 */
function cell(record: SourceRecord, column: string): string | null | undefined {
  return Object.hasOwn(record.values, column) ? (record.values[column] ?? null) : undefined;
}

/** account_id: trimmed, normalised to Unicode NFC (so `CAFÉ-1` typed either way is one ID), no control characters. */
function checkAccountId(raw: string | null | undefined, issues: Issue[]): string | undefined {
  const trimmed = raw?.trim() ?? '';
  const value = NON_ASCII.test(trimmed) ? trimmed.normalize('NFC') : trimmed;
  if (value === '') {
    issues.push({
      code: RowErrorCode.ACCOUNT_ID_MISSING,
      field: 'account_id',
      message: "account_id is empty: fill in the account's ID from the host system",
    });
    return undefined;
  }
  const at = controlCharacterPosition(value);
  if (at >= 0) {
    issues.push({
      code: RowErrorCode.ACCOUNT_ID_INVALID,
      field: 'account_id',
      message: `account_id ${quoteValue(value)} contains a control character (a tab, line break or similar) at character ${at + 1}: remove it`,
    });
    return undefined;
  }
  return value;
}

/**
 * region: lower-cased and trimmed, one of the configured regions. A fixed region (`--region`) fills
 * in rows without one; a row whose own region disagrees with it is invalid: the flag never
 * overrides data.
 */
function checkRegion(raw: string | null | undefined, rules: DomainRules, issues: Issue[]): string | undefined {
  const given = raw === null || raw === undefined ? '' : normalizeRegion(raw);
  const fixed = rules.fixedRegion;
  if (fixed !== undefined && given !== '' && given !== fixed) {
    issues.push({
      code: RowErrorCode.REGION_MISMATCH,
      field: 'region',
      message:
        `region ${quoteValue(given)} disagrees with --region ${quoteValue(fixed)}: --region only fills in rows without a region, ` +
        "it never overrides one. Correct the row's region, or run without --region",
    });
    return undefined;
  }
  const value = given === '' ? (fixed ?? '') : given;
  const allowed = rules.regions.join(', ');
  if (value === '') {
    issues.push({
      code: RowErrorCode.REGION_MISSING,
      field: 'region',
      message: `region is empty: set it to one of ${allowed}, or run with --region to give every row the same region`,
    });
    return undefined;
  }
  if (!rules.regions.includes(value)) {
    issues.push({
      code: RowErrorCode.REGION_UNKNOWN,
      field: 'region',
      message:
        `region ${quoteValue(value)} is not a configured region: use one of ${allowed}, ` +
        'or add it to ORGSYNC_REGIONS (a comma-separated list, e.g. ORGSYNC_REGIONS=us-east,eu-west)',
    });
    return undefined;
  }
  return value;
}
