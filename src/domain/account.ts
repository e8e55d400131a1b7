import type { SourceRecord } from '../sources/source.js';
import type { Account, DomainRules, RowProblem } from './types.js';
import { codePointLength, controlCharacterPosition, quoteValue } from './characters.js';
import { DISPLAY_NAME_LIMITS } from './display-name.js';
import { isValidEmailAddress } from './email-address.js';
import { MAX_EXTERNAL_ID_LENGTH, externalIdOf } from './external-id.js';
import { METADATA_LIMITS } from './metadata.js';
import { RowErrorCode } from './row-error-codes.js';

/** The outcome of `parseAccount`: a valid account, or the reason the row is `invalid`. */
export type ParseAccountResult = { ok: true; account: Account } | { ok: false; problem: RowProblem };

interface Issue {
  code: RowErrorCode;
  field: string;
  message: string;
}

/**
 * Turns one source record into an account, applying the rules of design section 2. Never throws:
 * a bad record becomes an `invalid` problem whose `code` is the first issue in column order
 * (account_id, region, external ID, display_name, then the owned metadata keys in configured
 * order) and whose `message` lists every issue, joined by "; ". E-mail addresses are never echoed.
 */
export function parseAccount(record: SourceRecord, rules: DomainRules): ParseAccountResult {
  const issues: Issue[] = [];
  const accountId = checkAccountId(cell(record, 'account_id'), issues);
  const region = checkRegion(rules.fixedRegion ?? cell(record, 'region'), rules, issues);
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
  const metadata = Object.fromEntries(
    rules.metadataKeys.map((key) => [key, checkMetadataValue(key, cell(record, key.trim().toLowerCase()), issues)]),
  );

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

/** The raw value of a column, reading own properties only (a column may be named `constructor`). */
function cell(record: SourceRecord, column: string): string | null {
  return Object.hasOwn(record.values, column) ? (record.values[column] ?? null) : null;
}

function checkAccountId(raw: string | null, issues: Issue[]): string | undefined {
  const value = raw?.trim() ?? '';
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

function checkRegion(raw: string | null, rules: DomainRules, issues: Issue[]): string | undefined {
  const value = raw?.trim().toLowerCase() ?? '';
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

function checkDisplayName(raw: string | null, issues: Issue[]): string | undefined {
  const value = raw?.trim() ?? '';
  const { maxLength } = DISPLAY_NAME_LIMITS;
  if (value === '') {
    issues.push({
      code: RowErrorCode.DISPLAY_NAME_MISSING,
      field: 'display_name',
      message: `display_name is empty: every organization needs a name of 1–${maxLength} characters`,
    });
    return undefined;
  }
  const length = codePointLength(value);
  if (length > maxLength) {
    issues.push({
      code: RowErrorCode.DISPLAY_NAME_TOO_LONG,
      field: 'display_name',
      message: `display_name ${quoteValue(value)} is ${length} characters long, but Scalekit allows at most ${maxLength}: shorten it`,
    });
    return undefined;
  }
  return value;
}

/** An owned metadata cell: empty or missing means "absent" (null); otherwise 1–256 characters. */
function checkMetadataValue(key: string, raw: string | null, issues: Issue[]): string | null {
  const value = raw?.trim() ?? '';
  if (value === '') return null;
  const isEmail = key.trim().toLowerCase() === 'invoice_email';
  const length = codePointLength(value);
  const { valueMaxLength } = METADATA_LIMITS;
  if (length > valueMaxLength) {
    const shown = isEmail ? '' : ` ${quoteValue(value)}`;
    issues.push({
      code: RowErrorCode.METADATA_VALUE_TOO_LONG,
      field: key,
      message: `${key}${shown} is ${length} characters long, but Scalekit allows metadata values of at most ${valueMaxLength}: shorten it`,
    });
    return null;
  }
  if (isEmail && !isValidEmailAddress(value)) {
    issues.push({
      code: RowErrorCode.INVOICE_EMAIL_INVALID,
      field: key,
      message: `${key} is not a valid e-mail address (expected one address like billing@example.com, without spaces): correct it, or leave the cell empty to remove the key`,
    });
    return null;
  }
  return value;
}
