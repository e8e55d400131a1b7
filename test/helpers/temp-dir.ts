import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export interface TempDir {
  /** The folder's path; set once the test file's `beforeAll` hooks have run. */
  readonly path: string;
  /** Writes `content` to `name` inside the folder and returns the file's path. */
  file(name: string, content: string | Buffer): Promise<string>;
}

/** A private temporary folder for the calling test file: made before its tests, removed after them. */
export function useTempDir(prefix: string): TempDir {
  let path = '';
  beforeAll(async () => {
    path = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await rm(path, { recursive: true, force: true });
  });
  return {
    get path() {
      return path;
    },
    async file(name, content) {
      const filePath = join(path, name);
      await writeFile(filePath, content);
      return filePath;
    },
  };
}
