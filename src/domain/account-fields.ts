import type { RowErrorCode as RowErrorCodeType } from './row-error-codes.js';
import {
  codePointLength,
  codePointName,
  controlCharacterPosition,
  hasVisibleCharacter,
  quoteValue,
} from './characters.js';
import { DISPLAY_NAME_LIMITS } from './display-name.js';
import { isValidEmailAddress } from './email-address.js';
import { columnKey } from './account-record.js';
import { METADATA_LIMITS } from './metadata.js';
import { RowErrorCode } from './row-error-codes.js';

/** One thing wrong with a row's field; `parseAccount` lists them all in the row's message. */
export interface FieldIssue {
  code: RowErrorCodeType;
  field: string;
  message: string;
}

/**
 * The issue of a value holding a control character (NUL, ESC, BEL, tab, line breaks, DEL, C1
 * controls, U+2028/2029), naming the field, the character and its position; or null. The value is
 * quoted in the message unless `echo` is false (e-mail addresses are never echoed).
 */
export function controlCharacterIssue(
  code: RowErrorCodeType,
  field: string,
  value: string,
  echo: boolean,
): FieldIssue | null {
  const at = controlCharacterPosition(value);
  if (at < 0) return null;
  const shown = echo ? ` ${quoteValue(value)}` : '';
  return {
    code,
    field,
    message: `${field}${shown} contains a control character (${codePointName(value, at)}: a tab, line break, escape or similar) at character ${at + 1}: remove it`,
  };
}

/** display_name: trimmed, 1–200 characters, no control characters, at least one visible character. */
export function checkDisplayName(raw: string | null | undefined, issues: FieldIssue[]): string | undefined {
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
  const control = controlCharacterIssue(RowErrorCode.DISPLAY_NAME_INVALID, 'display_name', value, true);
  if (control) {
    issues.push(control);
    return undefined;
  }
  if (!hasVisibleCharacter(value)) {
    issues.push({
      code: RowErrorCode.DISPLAY_NAME_INVISIBLE,
      field: 'display_name',
      message: `display_name ${quoteValue(value)} has no visible character (only zero-width spaces, direction marks, combining accents or similar): give the organization a readable name`,
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

/**
 * An owned metadata cell: empty (or null) means "remove the key" (null); otherwise 1–256 characters
 * without control characters; `invoice_email` must be an address. E-mail addresses are never echoed.
 */
export function checkMetadataValue(key: string, raw: string | null, issues: FieldIssue[]): string | null {
  const value = raw?.trim() ?? '';
  if (value === '') return null;
  const isEmail = columnKey(key) === 'invoice_email';
  const control = controlCharacterIssue(RowErrorCode.METADATA_VALUE_INVALID, key, value, !isEmail);
  if (control) {
    issues.push(control);
    return null;
  }
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
