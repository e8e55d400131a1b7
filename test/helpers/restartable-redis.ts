import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { NO_REDIS_SERVER } from './redis-server.js';

/**
 * A standalone `redis-server` of a test's own that can be stopped and started again on the same
 * port and directory, as an operator restarts Redis: AOF on (`appendfsync always`, so even a
 * SIGKILL loses no acknowledged write), no RDB snapshots, bound to loopback, in a private temporary
 * directory that `close` removes.
 */
export interface RestartableRedis {
  /** `redis://127.0.0.1:PORT` (with `:PASSWORD@` when started with one), the same across restarts. */
  url: string;
  port: number;
  dir: string;
  /** Whether the server process is up (it may still be loading its AOF). */
  readonly running: boolean;
  /**
   * Stops the server: `shutdown` (SIGTERM: Redis's own graceful SHUTDOWN, AOF flushed) or `kill`
   * (SIGKILL, a crash). Resolves once the process has exited and the port is closed.
   */
  stop(how?: 'shutdown' | 'kill'): Promise<void>;
  /** Starts it again on the same port and directory; resolves once it answers PING (AOF loaded). */
  start(): Promise<void>;
  /** Stops it for good and removes its directory. Idempotent. */
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** PING answered PONG: up, and done loading its AOF (a loading server answers LOADING). */
async function answersPing(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/**
 * Starts a restartable Redis on a free port (see `RestartableRedis`). Throws `NO_REDIS_SERVER` when
 * `redis-server` is not installed, or Redis's own output when it does not answer within
 * `startTimeoutMs` (default 20,000) of a start.
 */
export async function startRestartableRedis(
  options: { startTimeoutMs?: number; password?: string } = {},
): Promise<RestartableRedis> {
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  const dir = await mkdtemp(join(tmpdir(), 'orgsync-test-redis-aof-'));
  // A free port can be taken between finding it and binding it: try a few on the first start.
  let port = await freePort();
  const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
  const url = () => `redis://${auth}127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let closed = false;

  async function launch(): Promise<void> {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--maxmemory-policy',
      'noeviction',
      ...(options.password === undefined ? [] : ['--requirepass', options.password]),
    ];
    const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let output = '';
    started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    let spawnError: Error | undefined;
    started.once('error', (error) => (spawnError = error));
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      if (spawnError) {
        child = undefined;
        throw new Error((spawnError as NodeJS.ErrnoException).code === 'ENOENT' ? NO_REDIS_SERVER : spawnError.message);
      }
      if (started.exitCode !== null) {
        child = undefined;
        throw new Error(`redis-server exited (code ${started.exitCode}) before answering on port ${port}:\n${output}`);
      }
      if (await answersPing(url())) return;
      if (Date.now() > deadline) {
        await stopChild('kill');
        throw new Error(`redis-server did not answer on port ${port} within ${startTimeoutMs} ms:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async function stopChild(how: 'shutdown' | 'kill'): Promise<void> {
    const running = child;
    child = undefined;
    if (!running) return;
    running.kill(how === 'kill' ? 'SIGKILL' : 'SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
    await exited(running);
    clearTimeout(timer);
  }

  for (let attempt = 1; ; attempt += 1) {
    try {
      await launch();
      break;
    } catch (error) {
      if (attempt >= 3 || (error instanceof Error && error.message === NO_REDIS_SERVER)) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
      port = await freePort();
    }
  }

  return {
    url: url(),
    port,
    dir,
    get running() {
      return child !== undefined && child.exitCode === null;
    },
    stop: (how = 'shutdown') => stopChild(how),
    async start() {
      if (closed) throw new Error('this Redis is closed');
      if (child) throw new Error(`redis-server is already running on port ${port}`);
      await launch();
    },
    async close() {
      if (closed) return;
      closed = true;
      await stopChild('shutdown');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
