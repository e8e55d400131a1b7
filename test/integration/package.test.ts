/**
 * The package as a user (or the Docker image) gets it: `npm pack` (which builds first, through
 * `prepare`), then `npm install <tarball>` into an empty folder, then the `orgsync` it installed.
 * Slow (a real install from the npm registry), hence the long timeout.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const TIMEOUT_MS = 600_000;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a child npm or orgsync: npm's own lifecycle variables left out (they describe
 * the repository's `npm test`, not the empty folder), PATH with this node first.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return { ...env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, ORGSYNC_LOG_LEVEL: 'warn' };
}

function run(command: string, args: string[], cwd: string): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

function tarList(tarball: string): Promise<Ran> {
  return run('tar', ['-tzf', tarball], dirname(tarball));
}

let packDir: string;
let userDir: string;
let tarball: string;
let installed: Ran;

beforeAll(async () => {
  packDir = await mkdtemp(join(tmpdir(), 'orgsync-pack-'));
  userDir = await mkdtemp(join(tmpdir(), 'orgsync-user-'));
  const packed = await run('npm', ['pack', '--pack-destination', packDir, '--no-audit', '--no-fund'], REPO_ROOT);
  expect(packed.code, packed.stderr).toBe(0);
  const [name] = (await readdir(packDir)).filter((file) => file.endsWith('.tgz'));
  if (!name) throw new Error(`npm pack made no tarball in ${packDir}:\n${packed.stdout}\n${packed.stderr}`);
  tarball = join(packDir, name);
  installed = await run('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], userDir);
}, TIMEOUT_MS);

afterAll(async () => {
  if (packDir) await rm(packDir, { recursive: true, force: true });
  if (userDir) await rm(userDir, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('holds the built code and the demo fixtures, not the sources or the tests', async () => {
    const files = (await tarList(tarball)).stdout.split('\n').map((line) => line.replace(/^package\//, ''));
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'dist/src/cli.js',
        'dist/src/index.js',
        'dist/src/index.d.ts',
        'dist/jobs/reconcile.js',
        'fixtures/accounts.csv',
        'fixtures/scalekit-seed.json',
      ]),
    );
    expect(
      files.filter((file) => /^(src|test|bench|spec|scripts)\/|\.ts$/.test(file) && !file.endsWith('.d.ts')),
    ).toEqual([]);
  });

  it('installs into an empty folder from the tarball alone, without building anything', () => {
    expect(installed.code, installed.stderr).toBe(0);
    // `prepare` (the build) must not run on install: the tarball ships dist/ already built.
    expect(`${installed.stdout}\n${installed.stderr}`).not.toMatch(/orgsync@[^ ]+ prepare|tsc -p/);
    expect(existsSync(join(userDir, 'node_modules/orgsync/dist/src/cli.js'))).toBe(true);
    expect(existsSync(join(userDir, 'node_modules/typescript'))).toBe(false);
  });

  it('gives a working `orgsync --help`', async () => {
    const help = await run(join(userDir, 'node_modules/.bin/orgsync'), ['--help'], userDir);
    expect(help.code, help.stderr).toBe(0);
    for (const command of ['plan', 'apply', 'enqueue', 'worker', 'serve', 'emulator', 'demo'])
      expect(help.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it('gives a working `orgsync demo` (its fixtures are in the package)', async () => {
    const demo = await run(join(userDir, 'node_modules/.bin/orgsync'), ['demo'], userDir);
    expect(demo.code, `${demo.stdout}\n${demo.stderr}`).toBe(0);
    expect(demo.stdout).toContain('1. Plan');
    expect(existsSync(join(userDir, 'reports'))).toBe(true);
  });

  it('exports the public API to `import ... from "orgsync"`', async () => {
    const script = join(userDir, 'check.mjs');
    await writeFile(
      script,
      `import * as orgsync from 'orgsync';\nconsole.log(JSON.stringify(Object.fromEntries(Object.entries(orgsync).map(([k, v]) => [k, typeof v]))));\n`,
    );
    const checked = await run(process.execPath, [script], userDir);
    expect(checked.code, checked.stderr).toBe(0);
    expect(JSON.parse(checked.stdout)).toMatchObject({
      runSync: 'function',
      createScalekitClient: 'function',
      createTokenBucket: 'function',
      createCsvSource: 'function',
      createPostgresSource: 'function',
      createHttpSource: 'function',
      createSourceFromSpec: 'function',
    });
  });
});
