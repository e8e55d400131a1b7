import { fork } from 'node:child_process';
import { once } from 'node:events';

/** How a measured run reaches Scalekit. */
export interface Connection {
  url: string;
  clientId: string;
  clientSecret: string;
  /** The rate budget, requests per second (an in-process token bucket, as `orgsync apply` uses). */
  ratePerSecond: number;
}

/** One measured run, executed in a fresh child process so that its peak RSS is its own. */
export type ChildJob =
  | {
      kind: 'orgsync';
      mode: 'plan' | 'apply';
      scope: 'partial' | 'full';
      csvPath: string;
      concurrency: number;
      connection: Connection;
    }
  | { kind: 'baseline'; inFlight: number; csvPath: string; connection: Connection };

/** What a child measured. Times in milliseconds. */
export interface ChildResult {
  /** `/api/v1` requests our client sent, retries included. */
  calls: number;
  tokenCalls: number;
  retries: number;
  wallMs: number;
  /** The apply phase (first item started to the end); 0 for a plan. For a baseline, the whole loop. */
  applyMs: number;
  applyCalls: number;
  /** Reading Scalekit's side (listing or lookups), from the start to the last page; 0 for a baseline. */
  snapshotMs: number;
  /** Planning after the snapshot (reading and diffing the source); 0 for a baseline. */
  planMs: number;
  /** Records read from the source. */
  rows: number;
  /** `process.resourceUsage().maxRSS` at the end, in bytes. */
  peakRssBytes: number;
  created: number;
  updated: number;
  failed: number;
  /** Round trip of one request as the client saw it (send to parsed answer), median and 95th percentile, in ms. */
  roundTripP50Ms: number;
  roundTripP95Ms: number;
}

/** Options of `runInChild`. */
export interface ChildOptions {
  /** Extra node flags, e.g. `--cpu-prof --cpu-prof-dir=DIR`. */
  execArgv?: string[];
}

/** Forks `run-child.js`, hands it the job and returns what it measured (or throws what it threw). */
export async function runInChild(job: ChildJob, options: ChildOptions = {}): Promise<ChildResult> {
  const child = fork(new URL('./run-child.js', import.meta.url), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: options.execArgv ?? [],
    serialization: 'advanced',
  });
  let answer: { ok: true; result: ChildResult } | { ok: false; message: string } | undefined;
  child.on('message', (message: typeof answer) => {
    answer = message;
  });
  child.send(job);
  const [code]: unknown[] = await once(child, 'exit');
  if (answer?.ok) return answer.result;
  throw new Error(
    `bench child (${job.kind}) failed${answer ? `: ${answer.message}` : ` with exit code ${String(code)}`}`,
  );
}
