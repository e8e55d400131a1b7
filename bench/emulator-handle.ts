import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { z } from 'zod';
import type { DatasetSpec } from './dataset.js';

/** What the parent asks the emulator child to start. */
export interface EmulatorChildRequest {
  spec: DatasetSpec;
  latencyMs: number;
  /** The emulator's own limit (429 above it); null = none. */
  rateLimitPerSecond: number | null;
  clientId: string;
  clientSecret: string;
}

/** The child's answer. */
export type EmulatorChildReply = { ok: true; url: string; organizations: number } | { ok: false; message: string };

/** Request counts at the emulator's end (its `/_emulator/counters`). */
export interface ServerCounts {
  apiCalls: number;
  tokenCalls: number;
  rateLimited: number;
  writes: number;
}

const replySchema = z.union([
  z.object({ ok: z.literal(true), url: z.string(), organizations: z.number() }),
  z.object({ ok: z.literal(false), message: z.string() }),
]);
const countersSchema = z.object({
  totals: z.object({ apiCalls: z.number(), tokenCalls: z.number(), rateLimited: z.number() }),
  writes: z.record(z.string(), z.number()),
});

/** An emulator running in a child process, seeded from a `DatasetSpec`. */
export interface EmulatorHandle {
  url: string;
  organizations: number;
  /** Returns to the seed and clears the counters (between runs of one scenario). */
  reset(): Promise<void>;
  counts(): Promise<ServerCounts>;
  close(): Promise<void>;
}

/** Forks `emulator-process.js` and waits until it listens. */
export async function startEmulatorChild(request: EmulatorChildRequest): Promise<EmulatorHandle> {
  const child: ChildProcess = fork(new URL('./emulator-process.js', import.meta.url), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.send(request);
  const first: unknown[] = await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(() => [{ ok: false, message: 'the emulator child exited before listening' }]),
  ]);
  const answer = replySchema.parse(first[0]);
  if (!answer.ok) throw new Error(`bench emulator failed to start: ${answer.message}`);
  const { url } = answer;
  const admin = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${url}/_emulator/${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    if (!response.ok) throw new Error(`emulator admin ${method} ${path} answered ${response.status}`);
    return response.json();
  };
  let closing: Promise<void> | undefined;
  return {
    url,
    organizations: answer.organizations,
    async reset() {
      await admin('POST', 'reset', { state: true, counters: true });
    },
    async counts() {
      const c = countersSchema.parse(await admin('GET', 'counters'));
      const writes = Object.values(c.writes).reduce((sum, n) => sum + n, 0);
      return {
        apiCalls: c.totals.apiCalls,
        tokenCalls: c.totals.tokenCalls,
        rateLimited: c.totals.rateLimited,
        writes,
      };
    },
    close() {
      closing ??= (async () => {
        if (child.exitCode !== null) return;
        const exited = once(child, 'exit');
        child.disconnect();
        await exited;
      })();
      return closing;
    },
  };
}
