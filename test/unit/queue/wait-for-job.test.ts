import type { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { waitForJob } from '../../../src/queue/wait-for-job.js';

/**
 * A queue whose job ends while it is being followed: like BullMQ's, `getJob` returns what the job
 * is at the time of the call (a job read before it completed has no return value), and the job
 * completes right after the `completeAfter`-th read of anything.
 */
function endingQueue(end: { state: 'completed' | 'failed'; completeAfter: number }) {
  let reads = 0;
  let state = 'active';
  const read = () => {
    reads += 1;
    const now = state;
    if (reads >= end.completeAfter) state = end.state;
    return now;
  };
  const queue = {
    name: 'q',
    getJobState: async () => read(),
    getJob: async () => {
      const now = read();
      return {
        returnvalue: now === 'completed' ? { run_id: 'run-1' } : null,
        failedReason: now === 'failed' ? 'boom' : '',
        getState: async () => state,
      };
    },
  };
  return queue as unknown as Queue;
}

const noSleep = async () => undefined;

describe('waitForJob', () => {
  it('returns the return value of a job that completes while it is followed, whenever it completes', async () => {
    for (let completeAfter = 1; completeAfter <= 6; completeAfter += 1) {
      const states: string[] = [];
      const end = await waitForJob(endingQueue({ state: 'completed', completeAfter }), 'job-1', {
        sleep: noSleep,
        onState: (s) => states.push(s),
      });
      expect(end).toEqual({ state: 'completed', result: { run_id: 'run-1' } });
      expect(states.at(-1)).toBe('completed');
    }
  });

  it('returns the reason of a job that fails while it is followed', async () => {
    for (let completeAfter = 1; completeAfter <= 4; completeAfter += 1) {
      const end = await waitForJob(endingQueue({ state: 'failed', completeAfter }), 'job-1', { sleep: noSleep });
      expect(end).toEqual({ state: 'failed', reason: 'boom' });
    }
  });

  it('says so when the job is not on the queue', async () => {
    const queue = { name: 'q', getJobState: async () => 'unknown', getJob: async () => undefined };
    await expect(waitForJob(queue as unknown as Queue, 'gone', { sleep: noSleep })).rejects.toThrow(
      'job gone is not on queue q (removed, or never added)',
    );
  });
});
