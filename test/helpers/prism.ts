import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/helpers/prism.ts). */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The contract the tests check against: the operations orgsync uses, cut out of Scalekit's official
 * OpenAPI document (`scripts/scalekit-spec-subset.mjs`). It travels with the repository.
 */
export const SCALEKIT_SPEC_PATH = resolve(REPO_ROOT, 'spec/scalekit.yaml');

/**
 * Scalekit's official document, when `shared/` is checked out beside the clone. Only
 * test/contract/spec-subset.test.ts reads it, to check that `SCALEKIT_SPEC_PATH` has not drifted.
 */
export const OFFICIAL_SCALEKIT_SPEC_PATH = resolve(REPO_ROOT, '../shared/reference/scalekit.yaml');

const PRISM_BIN = resolve(REPO_ROOT, 'node_modules/.bin/prism');

/** A running `prism proxy`. */
export interface RunningPrism {
  /**
   * Base URL to give a client, e.g. `http://127.0.0.1:40123`: everything goes through Prism except
   * the `passThrough` paths (`/oauth/token`), which the spec does not describe and Prism would 404.
   */
  url: string;
  /** Prism itself, with no pass-through. */
  prismUrl: string;
  /** What Prism printed so far (for failure messages). */
  output(): string;
  /** Stops Prism and everything it started (its whole process group). Idempotent. */
  close(): Promise<void>;
}

/** Options of `startPrism`. */
export interface StartPrismOptions {
  /** OpenAPI document. Default `SCALEKIT_SPEC_PATH`. */
  specPath?: string;
  /** Pass `--errors`, so that a violation becomes an error response. Default true. */
  errors?: boolean;
  /** How long to wait for Prism to answer, in milliseconds. Default 90,000 (a slow, shared machine). */
  startTimeoutMs?: number;
  /**
   * Paths sent straight to the target instead of through Prism. Default `['/oauth/token']`: the
   * spec names the token URL only in its security scheme, not under `paths`.
   */
  passThrough?: readonly string[];
}

/** A tiny reverse proxy: `passThrough` paths go to `targetUrl`, the rest to `prismUrl`. */
async function startFront(
  targetUrl: string,
  prismUrl: string,
  passThrough: readonly string[],
): Promise<{ url: string; close(): Promise<void> }> {
  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const base = new URL(passThrough.includes(path) ? targetUrl : prismUrl);
    const upstream = request(
      {
        host: base.hostname,
        port: base.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: base.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    // An upstream that drops the connection is passed on as a dropped connection.
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };
  const server = createHttpServer(forward);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone (ESRCH): nothing left to stop.
  }
}

/**
 * Starts `prism proxy <spec> <targetUrl> --errors` on a free loopback port and waits until it
 * answers. Prism validates every request against the spec, forwards it to `targetUrl`, and
 * validates the response; with `--errors`, any violation turns into an error response, and the
 * `sl-violations` header lists the violations either way. Throws, with Prism's output, when the
 * spec is missing or Prism does not come up.
 */
export async function startPrism(targetUrl: string, options: StartPrismOptions = {}): Promise<RunningPrism> {
  const specPath = options.specPath ?? SCALEKIT_SPEC_PATH;
  if (!existsSync(specPath)) {
    throw new Error(
      `The Scalekit OpenAPI spec is missing at ${specPath} (the repository's copy is spec/scalekit.yaml).`,
    );
  }
  if (!existsSync(PRISM_BIN))
    throw new Error(`Prism is not installed at ${PRISM_BIN} (devDependency @stoplight/prism-cli).`);
  const port = await freePort();
  const args = ['proxy', specPath, targetUrl, '--host', '127.0.0.1', '--port', String(port)];
  if (options.errors ?? true) args.push('--errors');
  // detached: Prism gets its own process group, so close() can stop it and any child it forks.
  const child = spawn(PRISM_BIN, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const prismUrl = `http://127.0.0.1:${port}`;
  let front: { url: string; close(): Promise<void> } | undefined;
  let closing: Promise<void> | undefined;
  const running: RunningPrism = {
    url: prismUrl,
    prismUrl,
    output: () => output,
    close: () => {
      closing ??= (async () => {
        await front?.close();
        killGroup(child, 'SIGTERM');
        const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
        await exited(child);
        clearTimeout(timer);
      })();
      return closing;
    },
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`prism proxy exited before answering (code ${child.exitCode ?? child.signalCode}):\n${output}`);
    }
    try {
      // Any answer, even a 404 for this unknown path, means Prism is listening.
      await fetch(`${prismUrl}/__prism_ready`, { signal: AbortSignal.timeout(1_000) });
      break;
    } catch {
      // Not listening yet: poll again until the deadline.
    }
    if (Date.now() > deadline) {
      await running.close();
      throw new Error(
        `prism proxy did not answer on ${prismUrl} within ${options.startTimeoutMs ?? 90_000} ms:\n${output}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  try {
    front = await startFront(targetUrl, prismUrl, options.passThrough ?? ['/oauth/token']);
  } catch (error) {
    await running.close();
    throw error;
  }
  running.url = front.url;
  return running;
}
