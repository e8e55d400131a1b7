import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** One file to write: its final path and its text, produced chunk by chunk. */
export interface FileToWrite {
  path: string;
  chunks: () => Iterable<string>;
}

/**
 * Writes the files whole or not at all: each goes to a hidden temporary name in its own directory
 * (`.report.json.<pid>-<random>.tmp`), streamed with back-pressure (no giant string), and only when
 * every one is complete are they renamed into place. A crash, a full disk or a failed write leaves
 * the earlier files as they were and no partial file; the temporary files are removed.
 */
export async function writeFilesAtomically(files: readonly FileToWrite[]): Promise<void> {
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const temps = files.map((f) => join(dirname(f.path), `.${basename(f.path)}.${suffix}`));
  try {
    for (const [index, file] of files.entries()) {
      await pipeline(Readable.from(file.chunks(), { objectMode: true }), createWriteStream(temps[index] ?? ''));
    }
    for (const [index, file] of files.entries()) await rename(temps[index] ?? '', file.path);
  } catch (error) {
    await Promise.all(temps.map((temp) => rm(temp, { force: true }).catch(() => undefined)));
    throw error;
  }
}

/** `{ ...head, "<key>": [ items... ] }` as JSON, one item per line. */
export function* jsonWithItems(head: object, key: string, items: Iterable<unknown>): Generator<string> {
  const headJson = JSON.stringify(head, null, 2);
  yield headJson.length > 2
    ? `${headJson.slice(0, -2)},\n  ${JSON.stringify(key)}: [`
    : `{\n  ${JSON.stringify(key)}: [`;
  let first = true;
  for (const item of items) {
    yield `${first ? '' : ','}\n    ${JSON.stringify(item)}`;
    first = false;
  }
  yield `${first ? '' : '\n  '}]\n}\n`;
}
