import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { escapeText } from '../../domain/safe-text.js';
import { SourceError } from '../../errors.js';

/** Bytes read per chunk: large enough for throughput, small enough for constant memory. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Streams a file's bytes. The file is opened on the first `next()`, so a missing or unreadable
 * file surfaces there as a `SourceError` ("cannot read accounts.csv: no such file"), and it is
 * closed when the iteration ends, fails or is abandoned. Only a regular file is read: it is opened
 * without blocking (a named pipe with no writer would otherwise wait forever) and anything else —
 * a directory, a FIFO, a device — is refused with a message that says what it is.
 */
export async function* readFileChunks(path: string): AsyncGenerator<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw cannotRead(path, err);
  }
  try {
    const kind = notRegular(await handle.stat());
    if (kind !== undefined) throw new SourceError(`cannot read ${shownPath(path)}: ${kind}`);
    for (;;) {
      // A fresh buffer per chunk: the consumer may still hold the previous one.
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null));
      } catch (err) {
        throw cannotRead(path, err);
      }
      if (bytesRead === 0) return;
      yield bytesRead === CHUNK_BYTES ? buffer : buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

const NOT_A_FILE = 'orgsync reads a CSV only from a regular file, so save the data to a file first';

/** What a non-regular file is, in words, or undefined for a regular file. */
function notRegular(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return 'it is a directory, not a CSV file';
  if (stats.isFIFO()) return `it is a named pipe (FIFO), not a regular file; ${NOT_A_FILE}`;
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return `it is a device, not a regular file; ${NOT_A_FILE}`;
  return `it is not a regular file; ${NOT_A_FILE}`;
}

/** The reasons a file cannot be read, in words an operator can act on. */
const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied (give the user running orgsync read access to it)',
  EPERM: 'permission denied (give the user running orgsync read access to it)',
  EISDIR: 'it is a directory, not a CSV file',
  ENOTDIR: 'a part of the path is not a directory',
  EMFILE: 'too many open files',
  ELOOP: 'the path runs into a loop of symbolic links (a link that points, directly or not, to itself)',
  ENAMETOOLONG: 'the path is too long (over 4,096 bytes, or a name in it over 255)',
  ENXIO: `it is a socket or a device with nothing behind it; ${NOT_A_FILE}`,
};

/** The path as messages show it: escaped, and a very long one shortened in the middle. */
export function shownPath(path: string): string {
  const points = Array.from(path);
  if (points.length <= 200) return escapeText(path);
  return escapeText(
    `${points.slice(0, 120).join('')}…${points.slice(-60).join('')} (a path of ${points.length} characters)`,
  );
}

/** The `SourceError` for a file that cannot be opened or read, naming the reason (and the path once). */
export function cannotRead(path: string, err: unknown): SourceError {
  const code = errnoCode(err);
  const reason = code !== undefined && Object.hasOwn(REASONS, code) ? REASONS[code] : undefined;
  // Node's own message repeats the path (`EIO: i/o error, read '/x.csv'`): keep only its start.
  const detail = reason ?? (err instanceof Error ? err.message : String(err)).replace(/, \w+ '[^]*$/, '');
  const where = code === 'ENOENT' ? ` (looked for ${shownPath(resolve(path))})` : '';
  return new SourceError(`cannot read ${shownPath(path)}: ${detail}${where}`, { cause: err });
}

function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}
