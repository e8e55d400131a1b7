import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { inject } from 'vitest';

/**
 * The Redis the integration tests use: `REDIS_URL` when set, otherwise a private `redis-server`
 * the run started (test/setup/redis.ts). Every test keeps to keys and queues of its own name.
 */
export const REDIS_URL = inject('redisUrl');

/** A unique name for one test's queue and keys. */
export function testName(): string {
  return `test-${randomUUID()}`;
}

/**
 * Polls `check` until it returns a truthy value or the deadline passes (no fixed sleeps). Returns the
 * value; throws with `what` on timeout.
 */
export async function pollUntil<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 30_000,
  intervalMs = 25,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Polls until job `jobId` of `queue` has completed and returns it, read after completion (a job
 * object read before it completes keeps `returnvalue` null). Throws when the job fails.
 */
export async function completedJob(queue: Queue, jobId: string, what: string, timeoutMs = 30_000): Promise<Job> {
  await pollUntil(
    what,
    async () => {
      const state = await queue.getJobState(jobId);
      if (state === 'failed') throw new Error(`${what}: the job failed: ${(await queue.getJob(jobId))?.failedReason}`);
      return state === 'completed';
    },
    timeoutMs,
  );
  const job = await queue.getJob(jobId);
  if (!job) throw new Error(`${what}: job ${jobId} completed but is gone (removed too early?)`);
  return job;
}

/** Deletes every key that starts with `prefix` (SCAN, not KEYS). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/** A logger whose JSON lines are kept in `lines` (parsed), for assertions on job start/finish lines. */
export function captureLogger(level = 'info'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        const parsed: unknown = JSON.parse(line);
        if (parsed !== null && typeof parsed === 'object') lines.push({ ...parsed });
      }
      callback();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

/** A plain connection for test bookkeeping. */
export function testRedis(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: null });
}

/** Writes a CSV of `count` accounts `C00001`… (us-east), then `extraLines` as they are; returns its text. */
export function accountsCsv(count: number, extraLines: readonly string[] = []): string {
  const lines = ['account_id,region,display_name,billing_plan'];
  for (let i = 1; i <= count; i += 1) lines.push(`C${String(i).padStart(5, '0')},us-east,Company ${i},pro`);
  lines.push(...extraLines);
  return `${lines.join('\n')}\n`;
}

/** A `CommandIo` whose output is kept: commands only call `write` on their streams. */
export function captureIo(env: Record<string, string | undefined>): {
  io: { env: Record<string, string | undefined>; stdout: typeof process.stdout; stderr: typeof process.stderr };
  out: () => string;
  err: () => string;
} {
  const chunks = { out: [] as string[], err: [] as string[] };
  const stream = (into: string[]) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        into.push(chunk.toString());
        callback();
      },
    });
  // The commands use nothing of a WriteStream but `write`, which a plain Writable has.
  const stdout = stream(chunks.out) as unknown as typeof process.stdout;
  const stderr = stream(chunks.err) as unknown as typeof process.stderr;
  return { io: { env, stdout, stderr }, out: () => chunks.out.join(''), err: () => chunks.err.join('') };
}
