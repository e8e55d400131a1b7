import { randomBytes } from 'node:crypto';
import { lstat, mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { escapeText } from '../domain/safe-text.js';
import { InvalidArgumentError } from 'commander';
import { OrgsyncError } from '../errors.js';

/** Commander parser for a path flag: an empty value (`--report-dir ''`) is a usage error, not "no flag". */
export function pathArgument(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('expected a path, got an empty value');
  return value;
}

/** Where an output goes, as checked before a run: what was created for it (to remove if the run writes nothing). */
export interface PreparedLocation {
  /** The first directory `mkdir -p` created, or undefined when the directory existed. */
  created: string | undefined;
}

/**
 * Checks, before a run reads its source or calls Scalekit, that its files can be written in `dir`:
 * creates it when missing, checks that none of `fileNames` is a directory, and writes and removes a
 * probe file. Throws an `OrgsyncError` (`ERR_OUTPUT`) naming `flag`, the path and the fix otherwise,
 * so that a run never does its work and then fails to report it.
 */
export async function prepareOutputDirectory(
  flag: string,
  dir: string,
  fileNames: readonly string[],
  label = dir,
): Promise<PreparedLocation> {
  let created: string | undefined;
  try {
    created = await mkdir(dir, { recursive: true });
  } catch (error) {
    throw outputError(flag, label, error, 'before');
  }
  for (const name of fileNames) {
    const path = join(dir, name);
    const stats = await lstat(path).catch(() => undefined);
    if (stats?.isDirectory()) {
      throw new OrgsyncError(
        'ERR_OUTPUT',
        `${flag} ${shown(label)}: ${shown(path)} is a directory, so ${name} cannot be written there; nothing was read or sent to Scalekit. Remove it or choose another ${flag}`,
      );
    }
  }
  const probe = join(dir, `.orgsync-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, 'orgsync checks that it can write here\n', { flag: 'wx' });
  } catch (error) {
    throw outputError(flag, label, error, 'before');
  } finally {
    await rm(probe, { force: true }).catch(() => undefined);
  }
  return { created };
}

/** `prepareOutputDirectory` for one file (`--out FILE`): its directory, and the file itself not a directory. */
export function prepareOutputFile(flag: string, path: string): Promise<PreparedLocation> {
  return prepareOutputDirectory(flag, dirname(path), [basename(path)], path);
}

/** Removes what `prepare*` created, if it is still empty (a run that failed before writing anything). */
export async function removeIfUnused(location: PreparedLocation | undefined, dir: string): Promise<void> {
  if (location?.created === undefined) return;
  const top = resolve(location.created);
  for (let at = resolve(dir); at.startsWith(top); at = dirname(at)) {
    try {
      await rmdir(at); // only an empty directory goes
    } catch {
      return;
    }
    if (at === top) return;
  }
}

/** The reasons an output location cannot be used, in words an operator can act on. */
const REASONS: Readonly<Record<string, string>> = {
  EEXIST: 'it is a file, not a directory',
  ENOENT: 'a part of the path does not exist and cannot be created there',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EACCES: 'permission denied (give the user running orgsync write access to it)',
  EPERM: 'permission denied (give the user running orgsync write access to it)',
  EROFS: 'it is on a read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  ELOOP: 'the path runs into a loop of symbolic links',
  ENAMETOOLONG: 'the path is too long',
};

/**
 * An `ERR_OUTPUT` error for a failed create, probe or write at `dir` (given with `flag`): `before`
 * the run (nothing was done) or `after` it (the run is done, only its files are missing).
 */
export function outputError(flag: string, dir: string, error: unknown, when: 'before' | 'after'): OrgsyncError {
  const code =
    typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
      ? error.code
      : undefined;
  const reason =
    code !== undefined && Object.hasOwn(REASONS, code)
      ? REASONS[code]
      : `${(error instanceof Error ? error.message : String(error)).replace(/, \w+ '[^]*$/, '')}`;
  const outcome =
    when === 'before'
      ? 'nothing was read or sent to Scalekit'
      : 'the run itself is complete (see the summary above), only its files are missing';
  return new OrgsyncError(
    'ERR_OUTPUT',
    `cannot write to ${flag} ${shown(dir)}: ${reason}; ${outcome}. Fix it or choose another ${flag}`,
    { cause: error },
  );
}

function shown(path: string): string {
  return escapeText(path);
}
