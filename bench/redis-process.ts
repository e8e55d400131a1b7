import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * Building blocks of the Redis processes the tests and the bench start (a standalone or
 * restartable server, a cluster, a Sentinel set-up, a server with ACL users or TLS): free ports,
 * private temporary directories, `redis-server` processes that are stopped (SIGTERM, then SIGKILL)
 * and whose directories are removed afterwards. Here under bench/ because bench code (built by
 * tsconfig.build.json) may not import test/ files; the tests reach it through
 * test/helpers/redis-process.ts.
 */

/** A TCP port on 127.0.0.1 that was free a moment ago (nothing listens on it when this returns). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Said when a Redis binary cannot be started: what to do about it, on one line. */
export function missingBinary(binary: string): string {
  return `${binary} is not installed: install it (Debian/Ubuntu: apt-get install redis-server redis-tools redis-sentinel; macOS: brew install redis); bash scripts/test-services.sh does it on Debian as root`;
}

/** A private temporary directory. */
export function privateDir(what: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `orgsync-test-${what}-`));
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Runs `fn` on a fresh connection to one Redis (`options`, e.g. host and port) that does not retry,
 * and disconnects it afterwards. Rejects when Redis cannot be reached or `fn` fails.
 */
export async function withRedisProbe<T>(options: RedisOptions, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const probe = new Redis({ lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, ...options });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return await fn(probe);
  } finally {
    probe.disconnect();
  }
}

/** Resolves when a plain connection with `options` answers PING; false when it does not (yet). */
export function answersPing(options: RedisOptions): Promise<boolean> {
  return withRedisProbe(options, async (probe) => (await probe.ping()) === 'PONG').catch(() => false);
}

/** A running Redis process (of a test or the bench). */
export interface RedisProcess {
  port: number;
  /** Whether the process has not exited yet. */
  readonly running: boolean;
  /** What it printed so far (for failure messages). */
  output(): string;
  /**
   * `shutdown` (default): SIGTERM (Redis's own graceful SHUTDOWN), then SIGKILL after
   * `killAfterMs`; `kill`: SIGKILL at once (a crash). Resolves once the process has exited. Idempotent.
   */
  stop(how?: 'shutdown' | 'kill'): Promise<void>;
}

/**
 * Spawns `binary args` (a `redis-server`, or the same in sentinel mode) and waits until `ready`
 * resolves true (polled), the process exits, or `startTimeoutMs` passes. When `binary` is not
 * installed it throws `missingMessage` (default: `missingBinary(binary)`).
 */
export async function spawnRedis(
  binary: string,
  args: readonly string[],
  options: {
    port: number;
    ready: () => Promise<boolean>;
    startTimeoutMs?: number;
    killAfterMs?: number;
    missingMessage?: string;
  },
): Promise<RedisProcess> {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  let stopping: Promise<void> | undefined;
  const stop = (how: 'shutdown' | 'kill' = 'shutdown'): Promise<void> => {
    if (how === 'kill') child.kill('SIGKILL');
    stopping ??= (async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 5_000);
      await exited(child);
      clearTimeout(timer);
    })();
    return stopping;
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  for (;;) {
    const failed = await Promise.race([spawnError, new Promise<undefined>((r) => setTimeout(() => r(undefined), 50))]);
    if (failed) {
      const missing = (failed as NodeJS.ErrnoException).code === 'ENOENT';
      throw new Error(missing ? (options.missingMessage ?? missingBinary(binary)) : failed.message);
    }
    if (child.exitCode !== null) {
      await stop();
      throw new Error(
        `${binary} exited (code ${child.exitCode}) before it was ready on port ${options.port}:\n${output}`,
      );
    }
    if (await options.ready()) {
      return {
        port: options.port,
        get running() {
          return child.exitCode === null && child.signalCode === null;
        },
        output: () => output,
        stop,
      };
    }
    if (Date.now() > deadline) {
      await stop('kill');
      throw new Error(`${binary} was not ready on port ${options.port} within the deadline:\n${output}`);
    }
  }
}

/**
 * Starts a `redis-server` on `options.port` (default: a free loopback port) in `dir`, with no RDB
 * snapshots and AOF off unless `options.appendonly`, plus `extraArgs`; waits until a connection
 * with `ping` (e.g. a password) answers PING. The other options go to `spawnRedis`.
 */
export async function startRedisServer(
  dir: string,
  extraArgs: readonly string[] = [],
  ping: RedisOptions = {},
  options: {
    port?: number;
    appendonly?: boolean;
    startTimeoutMs?: number;
    killAfterMs?: number;
    missingMessage?: string;
  } = {},
): Promise<RedisProcess> {
  const { port = await freePort(), appendonly = false, ...spawnOptions } = options;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
  args.push('--appendonly', appendonly ? 'yes' : 'no');
  return spawnRedis('redis-server', [...args, ...extraArgs], {
    ...spawnOptions,
    port,
    ready: () => answersPing({ host: '127.0.0.1', port, ...ping }),
  });
}

/** Stops every process, then removes the directories; never throws. */
export async function stopAll(processes: readonly RedisProcess[], dirs: readonly string[]): Promise<void> {
  await Promise.all(processes.map((p) => p.stop().catch(() => undefined)));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }).catch(() => undefined)));
}

/** Runs a command to its end; rejects with its output when it fails. */
export function runCommand(binary: string, args: readonly string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(error.code === 'ENOENT' ? missingBinary(binary) : error.message));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${binary} ${args.join(' ')} failed (exit ${code}):\n${output}`));
    });
  });
}

/** Polls `check` until it is truthy or `timeoutMs` passes (then throws naming `what`). */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
