import { open, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SourceError } from '../../errors.js';

/** Bytes read per chunk: large enough for throughput, small enough for constant memory. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Streams a file's bytes. The file is opened on the first `next()`, so a missing or unreadable
 * file surfaces there as a `SourceError` ("cannot read accounts.csv: no such file"), and it is
 * closed when the iteration ends, fails or is abandoned.
 */
export async function* readFileChunks(path: string): AsyncGenerator<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw cannotRead(path, err);
  }
  try {
    if ((await handle.stat()).isDirectory()) {
      throw new SourceError(`cannot read ${path}: it is a directory, not a CSV file`);
    }
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

/** The reasons a file cannot be read, in words an operator can act on. */
const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied (give the user running orgsync read access to it)',
  EPERM: 'permission denied (give the user running orgsync read access to it)',
  EISDIR: 'it is a directory, not a CSV file',
  ENOTDIR: 'a part of the path is not a directory',
  EMFILE: 'too many open files',
};

/** The `SourceError` for a file that cannot be opened or read, naming the reason. */
export function cannotRead(path: string, err: unknown): SourceError {
  const code = errnoCode(err);
  const reason = code !== undefined && Object.hasOwn(REASONS, code) ? REASONS[code] : undefined;
  const detail = reason ?? (err instanceof Error ? err.message : String(err));
  const where = code === 'ENOENT' ? ` (looked for ${resolve(path)})` : '';
  return new SourceError(`cannot read ${path}: ${detail}${where}`, { cause: err });
}

function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}
