import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { CLI } from './run-cli.js';

/** A running `node dist/src/cli.js ...` whose output is kept (and its JSON log lines parsed). */
export interface CliProcess {
  pid: number;
  stdout(): string;
  stderr(): string;
  /** The JSON log lines it wrote so far (on stderr), parsed. */
  lines(): Record<string, unknown>[];
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Sends `signal` (default SIGTERM) unless it has exited. */
  kill(signal?: NodeJS.Signals): void;
  /** SIGKILL unless it has exited, and waits for the exit. Idempotent. */
  stop(): Promise<void>;
}

/** Starts the built CLI with only `env` (plus PATH); nothing is waited for. Stop it in an `afterEach`. */
export function startCli(args: string[], env: Record<string, string>): CliProcess {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid ?? -1,
    stdout: () => out,
    stderr: () => err,
    lines() {
      const parsed: Record<string, unknown>[] = [];
      for (const line of err.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const value: unknown = JSON.parse(line);
          if (value !== null && typeof value === 'object') parsed.push({ ...value });
        } catch {
          // a line still being written
        }
      }
      return parsed;
    },
    exited,
    kill(signal = 'SIGTERM') {
      if (running()) child.kill(signal);
    },
    async stop() {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
  };
}
