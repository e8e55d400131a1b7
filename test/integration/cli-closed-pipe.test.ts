import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { CLI } from '../helpers/run-cli.js';

it('stops printing quietly when the reader goes away (orgsync demo | head -1)', async () => {
  const child = spawn(process.execPath, [CLI, 'demo'], {
    env: { PATH: process.env.PATH ?? '', ORGSYNC_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // The demo prints its first line before it plans; everything after that meets a closed pipe.
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((done) => child.on('close', done));
  expect(stderr).not.toMatch(/EPIPE|uncaught|at .*\(node:/);
  expect(code).toBe(0);
}, 60_000);
