import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createQueueTestEnv, type QueueTestEnv } from './queue-env.js';
import { completedJob } from './queue-helpers.js';

let t: QueueTestEnv | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** A logger whose lines are kept as written: JSON.parse would hide a duplicate key (the last one wins). */
function rawLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line.trim() !== ''),
      );
      callback();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

/** How many times `key` is a key of the line's top-level object (a key follows `{` or `,`; one in a string is escaped). */
function keyCount(line: string, key: string): number {
  return line.match(new RegExp(`[{,]"${key}":`, 'g'))?.length ?? 0;
}

describe('job log lines', () => {
  it('carry "run_id" once, so that strict JSON readers accept them', async () => {
    t = await createQueueTestEnv();
    const { logger, lines } = rawLogger();
    await t.startWorker({ logger });
    const { jobId } = await t
      .producer()
      .enqueue('reconcile', { account: { account_id: 'C1', region: 'us-east', display_name: 'Acme' } });
    await completedJob(t.queue, jobId, 'the reconcile');

    const ofThisRun = lines.filter((line) => line.includes('"run_id":'));
    const messages = ofThisRun.map((line) => (JSON.parse(line) as { msg?: string }).msg);
    // The worker's lines and the engine's own: both kinds must be checked.
    expect(messages).toEqual(expect.arrayContaining(['job started', 'run finished', 'job finished']));
    for (const line of ofThisRun) expect(keyCount(line, 'run_id'), line).toBe(1);
  });
});
