import { Buffer } from 'node:buffer';
import { afterEach, describe, expect, it } from 'vitest';
import { connectScalekit } from '../../src/app.js';
import { RateLimitedError } from '../../src/scalekit/errors.js';
import { createQueueTestEnv, type QueueTestEnv } from './queue-env.js';
import { pollUntil } from './queue-helpers.js';

let t: QueueTestEnv | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function env(settings: Parameters<typeof createQueueTestEnv>[0] = {}): Promise<QueueTestEnv> {
  t = await createQueueTestEnv(settings);
  return t;
}

async function stateOf(q: QueueTestEnv, jobId: string): Promise<string | undefined> {
  return (await q.queue.getJob(jobId))?.getState();
}

describe('orgsync worker', () => {
  it('registers the nightly scheduler with the configured cron and time zone', async () => {
    const q = await env({
      env: {
        ORGSYNC_SOURCE: 'csv:/nowhere.csv',
        ORGSYNC_NIGHTLY_CRON: '30 3 * * 1-5',
        ORGSYNC_NIGHTLY_TZ: 'Europe/Paris',
      },
    });
    const worker = await q.startWorker({ schedule: true });
    expect(worker.schedule).toMatchObject({ scheduled: true, cron: '30 3 * * 1-5', timeZone: 'Europe/Paris' });
    const schedulers = await q.queue.getJobSchedulers();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0]).toMatchObject({
      key: 'nightly-sync',
      name: 'nightly-sync',
      pattern: '30 3 * * 1-5',
      tz: 'Europe/Paris',
    });
    expect(schedulers[0]?.template?.data).toEqual({ trigger: 'schedule' });
    // A second worker upserts the same scheduler: still one.
    await q.startWorker({ schedule: true });
    expect(await q.queue.getJobSchedulersCount()).toBe(1);
  });

  it('says why the nightly sync is not scheduled without ORGSYNC_SOURCE, and still processes other jobs', async () => {
    const q = await env();
    const worker = await q.startWorker({ schedule: true });
    expect(worker.schedule.scheduled).toBe(false);
    expect(await q.queue.getJobSchedulersCount()).toBe(0);
    expect(
      q.lines.some(
        (l) => typeof l.msg === 'string' && l.msg.startsWith('nightly sync not scheduled: ORGSYNC_SOURCE is not set'),
      ),
    ).toBe(true);
    const { jobId } = await q
      .producer()
      .enqueue('reconcile', { account: { account_id: 'C1', region: 'us-east', display_name: 'Acme' } });
    await pollUntil('the reconcile to complete', async () => (await stateOf(q, jobId)) === 'completed');
  });

  it('fails a bad payload at once, as unrecoverable, with the reason', async () => {
    const q = await env();
    await q.startWorker();
    const bad = await q.queue.add('reconcile', { account: { account_id: 'C1' }, extra: true }, { attempts: 5 });
    const unknown = await q.queue.add('make-coffee', {}, { attempts: 5 });
    for (const job of [bad, unknown])
      await pollUntil('the job to fail', async () => (await stateOf(q, job.id ?? '')) === 'failed');
    const failedBad = await q.queue.getJob(bad.id ?? '');
    expect(failedBad?.attemptsMade).toBe(1);
    expect(failedBad?.failedReason).toMatch(/^invalid reconcile payload: .*account\.region.*/);
    expect(failedBad?.failedReason).toMatch(/Unrecognized key.*extra/);
    expect((await q.queue.getJob(unknown.id ?? ''))?.failedReason).toMatch(/no job kind is called "make-coffee"/);
    const runs = await q.history.list();
    expect(runs[0]).toMatchObject({ kind: 'reconcile', result: 'error', error: { code: 'ERR_JOB_PAYLOAD' } });
  });

  it('puts a job that Scalekit kept rate limiting back in the queue without spending an attempt', async () => {
    const q = await env();
    let calls = 0;
    await q.startWorker({
      connectScalekit: (config, logger, options) => {
        const connection = connectScalekit(config, logger, options);
        calls += 1;
        if (calls > 1) return connection;
        const refuse = () => {
          throw new RateLimitedError('too many requests', {
            method: 'GET',
            routeTemplate: '/api/v1/organizations',
            status: 429,
            retryAfterMs: 200,
          });
        };
        return { ...connection, api: { ...connection.api, listOrganizations: refuse } };
      },
    });
    const { jobId } = await q
      .producer()
      .enqueue('reconcile', { account: { account_id: 'C1', region: 'us-east', display_name: 'Acme' } });
    await pollUntil('the reconcile to complete', async () => (await stateOf(q, jobId)) === 'completed');
    const job = await q.queue.getJob(jobId);
    expect(calls).toBe(2);
    // Two starts, one attempt: the one that completed.
    expect(job?.attemptsStarted).toBe(2);
    expect(job?.attemptsMade).toBe(1);
  });

  it('shuts down gracefully: the running job finishes, then every connection is closed', async () => {
    const q = await env({ emulator: { latencyMs: 300 } });
    const worker = await q.startWorker();
    const { jobId } = await q
      .producer()
      .enqueue('reconcile', { account: { account_id: 'C1', region: 'us-east', display_name: 'Acme' } });
    await pollUntil('the reconcile to start', async () => (await stateOf(q, jobId)) === 'active');
    await worker.close({ deadlineMs: 20_000 });
    expect(await stateOf(q, jobId)).toBe('completed');
    const clients = await q.redis.client('LIST');
    const base64Queue = Buffer.from(q.queueName).toString('base64');
    expect(String(clients)).not.toContain(`orgsync:worker:${q.queueName}`);
    expect(String(clients)).not.toContain(base64Queue);
    expect(q.lines.some((l) => l.msg === 'worker closed')).toBe(true);
  });

  it('hands a job still running at the shutdown deadline back to the queue for another worker', async () => {
    const q = await env({ emulator: { latencyMs: 5_000 } });
    const worker = await q.startWorker();
    const { jobId } = await q
      .producer()
      .enqueue('reconcile', { account: { account_id: 'C1', region: 'us-east', display_name: 'Acme' } });
    // Running in the processor, not only moved to `active` by BullMQ (the processor starts just after).
    await pollUntil('the reconcile to start', () => q.lines.some((l) => l.msg === 'job started' && l.job_id === jobId));
    const startedAt = Date.now();
    await worker.close({ deadlineMs: 200 });
    expect(Date.now() - startedAt).toBeLessThan(4_000);
    expect(await stateOf(q, jobId)).toBe('waiting');
    expect((await q.queue.getJob(jobId))?.attemptsMade).toBe(0);
    expect(q.lines.some((l) => l.msg === 'job released for another worker (shutdown)')).toBe(true);
  });
});
