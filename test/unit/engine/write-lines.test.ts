import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFilesAtomically } from '../../../src/engine/write-lines.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orgsync-write-lines-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFilesAtomically', () => {
  it('writes every file, streamed chunk by chunk', async () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.csv');
    await writeFilesAtomically([
      { path: a, chunks: () => ['{', '"x": 1', '}\n'] },
      {
        path: b,
        chunks: () =>
          (function* () {
            for (let i = 0; i < 3; i += 1) yield `${i}\n`;
          })(),
      },
    ]);
    expect(await readFile(a, 'utf8')).toBe('{"x": 1}\n');
    expect(await readFile(b, 'utf8')).toBe('0\n1\n2\n');
  });

  it('leaves the earlier files as they were, and no partial or temporary file, when one fails midway', async () => {
    const sub = await mkdtemp(join(dir, 'fail-'));
    const first = join(sub, 'report.json');
    const second = join(sub, 'results.csv');
    await writeFile(first, 'old report\n');
    const failing = function* () {
      yield 'half of it';
      throw new Error('out of memory, say');
    };
    await expect(
      writeFilesAtomically([
        { path: first, chunks: () => ['new report\n'] },
        { path: second, chunks: failing },
      ]),
    ).rejects.toThrow(/out of memory, say/);
    expect(await readFile(first, 'utf8')).toBe('old report\n');
    expect(await readdir(sub)).toEqual(['report.json']);
  });
});
