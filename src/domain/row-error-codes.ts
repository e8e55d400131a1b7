/**
 * The stable codes of row-level problems (see docs/row-errors.md). Users and tests match on them:
 * never rename one, only add.
 */
export const RowErrorCode = {
  /** account_id is empty or the cell is missing. */
  ACCOUNT_ID_MISSING: 'ACCOUNT_ID_MISSING',
  /** account_id contains a control character. */
  ACCOUNT_ID_INVALID: 'ACCOUNT_ID_INVALID',
  /** region is empty and no fixed region (`--region`) is configured. */
  REGION_MISSING: 'REGION_MISSING',
  /** region is not one of the configured regions (ORGSYNC_REGIONS). */
  REGION_UNKNOWN: 'REGION_UNKNOWN',
  /** `<region>-<account_id>` is longer than 255 characters. */
  EXTERNAL_ID_TOO_LONG: 'EXTERNAL_ID_TOO_LONG',
  /** display_name is empty after trimming. */
  DISPLAY_NAME_MISSING: 'DISPLAY_NAME_MISSING',
  /** display_name is longer than 200 characters after trimming. */
  DISPLAY_NAME_TOO_LONG: 'DISPLAY_NAME_TOO_LONG',
  /** invoice_email is present but is not a valid e-mail address. */
  INVOICE_EMAIL_INVALID: 'INVOICE_EMAIL_INVALID',
  /** An owned metadata value is longer than 256 characters after trimming. */
  METADATA_VALUE_TOO_LONG: 'METADATA_VALUE_TOO_LONG',
  /** Two or more rows map to the same external ID (action `conflict`). */
  DUPLICATE_EXTERNAL_ID: 'DUPLICATE_EXTERNAL_ID',
  /** The organization would hold more than 10 metadata pairs after the merge (plan time). */
  METADATA_TOO_MANY_PAIRS: 'METADATA_TOO_MANY_PAIRS',
  /** display_name contains a control character (tab, line break, NUL, ESC, DEL, C1...). */
  DISPLAY_NAME_INVALID: 'DISPLAY_NAME_INVALID',
  /** display_name has no visible character (only zero-width spaces, bidi marks, lone accents...). */
  DISPLAY_NAME_INVISIBLE: 'DISPLAY_NAME_INVISIBLE',
  /** An owned metadata value contains a control character. */
  METADATA_VALUE_INVALID: 'METADATA_VALUE_INVALID',
  /** The row's region column disagrees with the region given by `--region`. */
  REGION_MISMATCH: 'REGION_MISMATCH',
  /**
   * External IDs that differ but become the same under Unicode NFKC (fullwidth `Ａ1` and `A1`), on
   * two or more rows, or on a row and an existing organization: action `conflict`, none applied.
   */
  EXTERNAL_ID_LOOKALIKE: 'EXTERNAL_ID_LOOKALIKE',
} as const;

/** One of the stable row error codes. */
export type RowErrorCode = (typeof RowErrorCode)[keyof typeof RowErrorCode];
