import type { Account, RowProblem } from './types.js';
import { RowErrorCode } from './row-error-codes.js';

/** Finds external IDs that occur more than once in a stream of accounts. */
export interface DuplicateDetector {
  /** Records one account; call it for every valid account, in any order. */
  add(account: Pick<Account, 'externalId'>): void;
  /** The external IDs seen twice or more. Call it once, after the last `add`. */
  finish(): { duplicates: Set<string> };
}

/**
 * A duplicate detector for streams. It holds one Set entry per distinct external ID, sharing the
 * string the account already holds, so the overhead per account is a hash-table slot.
 */
export function createDuplicateDetector(): DuplicateDetector {
  let seen = new Set<string>();
  const duplicates = new Set<string>();
  return {
    add(account) {
      if (seen.has(account.externalId)) duplicates.add(account.externalId);
      else seen.add(account.externalId);
    },
    finish() {
      seen = new Set(); // release the big set; the engine may keep the detector around
      return { duplicates };
    },
  };
}

/** How many lines a conflict message names before it says "and N more". */
const MAX_LINES_NAMED = 10;

/**
 * Splits accounts into those whose external ID is unique and one `conflict` problem for EVERY row
 * of a duplicated external ID (design: neither row is applied; "last row wins" loses data). Order
 * is kept in both lists. Pass `duplicates` when a `DuplicateDetector` already found them while
 * streaming, to skip the counting pass.
 */
export function partitionDuplicates(
  accounts: readonly Account[],
  duplicates?: ReadonlySet<string>,
): { unique: Account[]; conflicts: RowProblem[] } {
  let dups = duplicates;
  if (dups === undefined) {
    const detector = createDuplicateDetector();
    for (const account of accounts) detector.add(account);
    dups = detector.finish().duplicates;
  }
  if (dups.size === 0) return { unique: [...accounts], conflicts: [] };

  const linesById = new Map<string, number[]>();
  for (const account of accounts) {
    if (!dups.has(account.externalId)) continue;
    const lines = linesById.get(account.externalId);
    if (lines === undefined) linesById.set(account.externalId, [account.line]);
    else lines.push(account.line);
  }
  const messages = new Map<string, string>();
  for (const [externalId, lines] of linesById) messages.set(externalId, conflictMessage(externalId, lines));

  const unique: Account[] = [];
  const conflicts: RowProblem[] = [];
  for (const account of accounts) {
    const message = messages.get(account.externalId);
    if (message === undefined) {
      unique.push(account);
      continue;
    }
    conflicts.push({
      line: account.line,
      accountId: account.accountId,
      externalId: account.externalId,
      action: 'conflict',
      code: RowErrorCode.DUPLICATE_EXTERNAL_ID,
      field: 'account_id',
      message,
    });
  }
  return { unique, conflicts };
}

function conflictMessage(externalId: string, lines: number[]): string {
  const sorted = [...lines].sort((a, b) => a - b);
  const named = sorted.slice(0, MAX_LINES_NAMED);
  const rest = sorted.length - named.length;
  const list =
    rest > 0
      ? `${named.join(', ')} and ${rest} more`
      : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1] ?? ''}`;
  return (
    `external ID ${externalId} appears on lines ${list}; none of these rows is applied. ` +
    'Keep exactly one row per account: delete the extra rows or correct their account_id or region'
  );
}
