import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';

const BENCH = resolve('dist/bench/run.js');

it('npm run bench -- --help prints the usage and runs nothing', () => {
  const result = spawnSync(process.execPath, [BENCH, '--help'], { encoding: 'utf8', timeout: 30_000 });
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/^usage: node dist\/bench\/run\.js \[--quick \| --full\]/);
  expect(result.stdout).toMatch(/scenarios: .*bulk-import-queue/);
  expect(result.stderr).toBe('');
});

it('a bad flag is refused with the problem and the usage (exit 2)', () => {
  const result = spawnSync(process.execPath, [BENCH, '--concurrency', '0'], { encoding: 'utf8', timeout: 30_000 });
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(/--concurrency must be a whole number >= 1\nusage: /);
});
