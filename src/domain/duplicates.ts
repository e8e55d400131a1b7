import type { Account, RowProblem } from './types.js';
import { quoteValue } from './characters.js';
import { RowErrorCode } from './row-error-codes.js';

/**
 * The one duplicate-row rule (design section 2): rows whose external IDs are equal — or become
 * equal under Unicode NFKC, like fullwidth `Ａ1` and `A1` — are all `conflict`, and none is applied
 * ("last row wins" loses data). Memory per duplicated ID is bounded whatever the number of rows:
 * the first lines the message names, a count, and a few other spellings.
 */

/** How many lines a conflict message names before it says "and N more". */
const MAX_LINES_NAMED = 10;
/** How many other spellings of an ID (NFKC twins) a conflict message names. */
const MAX_SPELLINGS_NAMED = 3;

const NON_ASCII = /[^\p{ASCII}]/u;

/**
 * The key under which two external IDs count as the same: the ID itself, or its NFKC form when that
 * differs. ASCII IDs (nearly all of them) are returned as they are, the same string, at no cost.
 */
export function duplicateKey(externalId: string): string {
  if (!NON_ASCII.test(externalId)) return externalId;
  const folded = externalId.normalize('NFKC');
  return folded === externalId ? externalId : folded;
}

/** One duplicated external ID: what its message needs, however many rows share it. */
export interface DuplicateGroup {
  /** The external ID as the first row of the group wrote it. */
  readonly externalId: string;
  /** Rows in the group. */
  count: number;
  /** The smallest lines of the group, sorted, at most MAX_LINES_NAMED. */
  readonly lines: number[];
  /** Other spellings of the ID in the group (NFKC twins), at most MAX_SPELLINGS_NAMED. */
  readonly spellings: string[];
  /** Shared by every conflict of the group; its message is final once `finishDuplicateGroups` ran. */
  readonly error: { code: string; message: string };
}

/** Collects duplicate groups: call `addRepeat` for every row whose key was seen before. */
export interface DuplicateGroups {
  /** The group of `key`, created from its first row when this is the first repeat. */
  addRepeat(
    key: string,
    first: { externalId: string; line: number },
    row: { externalId: string; line: number },
  ): DuplicateGroup;
  get(key: string): DuplicateGroup | undefined;
  readonly size: number;
  /** Writes every group's message (into its shared `error`); call it after the last row. */
  finish(): ReadonlyMap<string, DuplicateGroup>;
}

export function createDuplicateGroups(): DuplicateGroups {
  const groups = new Map<string, DuplicateGroup>();
  return {
    addRepeat(key, first, row) {
      let group = groups.get(key);
      if (group === undefined) {
        group = {
          externalId: first.externalId,
          count: 0,
          lines: [],
          spellings: [],
          error: { code: RowErrorCode.DUPLICATE_EXTERNAL_ID, message: '' },
        };
        groups.set(key, group);
        noteRow(group, first);
      }
      noteRow(group, row);
      return group;
    },
    get: (key) => groups.get(key),
    get size() {
      return groups.size;
    },
    finish() {
      for (const group of groups.values()) Object.assign(group.error, duplicateConflict(group));
      return groups;
    },
  };
}

function noteRow(group: DuplicateGroup, row: { externalId: string; line: number }): void {
  group.count += 1;
  const { lines } = group;
  if (lines.length < MAX_LINES_NAMED || row.line < (lines[lines.length - 1] ?? Infinity)) {
    let at = lines.length;
    while (at > 0 && (lines[at - 1] ?? 0) > row.line) at -= 1;
    lines.splice(at, 0, row.line);
    if (lines.length > MAX_LINES_NAMED) lines.pop();
  }
  if (
    row.externalId !== group.externalId &&
    group.spellings.length < MAX_SPELLINGS_NAMED &&
    !group.spellings.includes(row.externalId)
  )
    group.spellings.push(row.externalId);
}

/** The code and message of every row of a group (docs/row-errors.md). */
export function duplicateConflict(group: Omit<DuplicateGroup, 'error'>): { code: string; message: string } {
  const { lines, count } = group;
  const rest = count - lines.length;
  const list =
    rest > 0
      ? `${lines.join(', ')} and ${rest} more`
      : `${lines.slice(0, -1).join(', ')} and ${lines[lines.length - 1] ?? ''}`;
  const fix =
    'none of these rows is applied. Keep exactly one row per account: delete the extra rows or correct their account_id or region';
  if (group.spellings.length === 0)
    return {
      code: RowErrorCode.DUPLICATE_EXTERNAL_ID,
      message: `external ID ${group.externalId} appears on lines ${list}; ${fix}`,
    };
  const spellings = [group.externalId, ...group.spellings].map((s) => quoteValue(s, 80)).join(', ');
  return {
    code: RowErrorCode.EXTERNAL_ID_LOOKALIKE,
    message:
      `the external IDs ${spellings} on lines ${list} differ only in Unicode compatibility forms ` +
      `(fullwidth letters, ligatures, the Kelvin sign...) and would look the same in Scalekit; ${fix}`,
  };
}

/**
 * A row whose external ID matches no organization exactly, but one under Unicode NFKC (an
 * organization created from the decomposed or fullwidth spelling of the same ID): creating it would
 * make a look-alike twin, so the row is a `conflict` and nothing is written.
 */
export function twinOrganizationConflict(
  row: { externalId: string; line: number },
  org: { id: string; externalId: string },
): { code: string; message: string } {
  return {
    code: RowErrorCode.EXTERNAL_ID_LOOKALIKE,
    message:
      `the external ID ${quoteValue(row.externalId, 80)} of line ${row.line} and the external ID ${quoteValue(org.externalId, 80)} ` +
      `of organization ${org.id} differ only in Unicode forms (composed or decomposed accents, fullwidth letters...) and would ` +
      'look the same in Scalekit; this row is not applied, so no look-alike organization is created. Make the two IDs the ' +
      "same: correct account_id in the source, or the organization's external ID in Scalekit",
  };
}

/** Finds external IDs that occur more than once (or as NFKC twins) in a stream of accounts. */
export interface DuplicateDetector {
  /** Records one account; call it for every valid account, in any order. */
  add(account: Pick<Account, 'externalId'>): void;
  /** The external IDs (every spelling) that share their key with another row. Call it once, after the last `add`. */
  finish(): { duplicates: Set<string> };
}

/**
 * A duplicate detector for streams. It holds one Map entry per distinct key, sharing the string the
 * account already holds, so the overhead per account is a hash-table slot.
 */
export function createDuplicateDetector(): DuplicateDetector {
  let seen = new Map<string, string>();
  const duplicates = new Set<string>();
  return {
    add(account) {
      const key = duplicateKey(account.externalId);
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, account.externalId);
        return;
      }
      duplicates.add(first);
      duplicates.add(account.externalId);
    },
    finish() {
      seen = new Map(); // release the big map; the engine may keep the detector around
      return { duplicates };
    },
  };
}

/**
 * Splits accounts into those whose external ID is unique and one `conflict` problem for EVERY row
 * of a duplicated external ID. Order is kept in both lists. Pass `duplicates` when a
 * `DuplicateDetector` already found them while streaming, to skip the counting pass.
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

  const groups = createDuplicateGroups();
  const firsts = new Map<string, { externalId: string; line: number }>();
  for (const account of accounts) {
    if (!dups.has(account.externalId)) continue;
    const key = duplicateKey(account.externalId);
    const first = firsts.get(key);
    if (first === undefined) firsts.set(key, account);
    else groups.addRepeat(key, first, account);
  }
  const byKey = groups.finish();

  const unique: Account[] = [];
  const conflicts: RowProblem[] = [];
  for (const account of accounts) {
    const group = dups.has(account.externalId) ? byKey.get(duplicateKey(account.externalId)) : undefined;
    if (group === undefined) {
      unique.push(account);
      continue;
    }
    conflicts.push({
      line: account.line,
      accountId: account.accountId,
      externalId: account.externalId,
      action: 'conflict',
      code: group.error.code,
      field: 'account_id',
      message: group.error.message,
    });
  }
  return { unique, conflicts };
}
