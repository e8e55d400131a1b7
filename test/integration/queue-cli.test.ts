import { EventEmitter } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import { runEnqueueCommand } from '../../src/commands/enqueue.js';
import { runRunsCommand } from '../../src/commands/runs.js';
import { runWorkerCommand } from '../../src/commands/worker.js';
import { createQueueTestEnv, type QueueTestEnv } from './queue-env.js';
import { accountsCsv, captureIo, pollUntil } from './queue-helpers.js';

let t: QueueTestEnv;

beforeEach(async () => {
  t = await createQueueTestEnv();
});

afterEach(async () => {
  await t.close();
});

describe('orgsync enqueue --wait', () => {
  it('prints the summary, writes the reports and exits 0 when every row went through', async () => {
    await t.startWorker();
    const path = join(t.dir, 'good.csv');
    await writeFile(path, accountsCsv(30));
    const { io, out } = captureIo(t.env);
    const reportDir = join(t.dir, 'reports');
    const code = await runEnqueueCommand(
      {
        kind: 'bulk-import',
        csv: `csv:${path}`,
        flags: { wait: true, reportDir, queue: t.queueName, chunkSize: '10' },
      },
      io,
    );
    expect(code).toBe(0);
    expect(out()).toMatch(/^Enqueued bulk-import job [0-9a-f-]{36}: 30 records read, 3 chunks of up to 10 rows\./);
    expect(out()).toContain(`orgsync apply — csv:${path} (partial scope) — 30 records read`);
    expect(out()).toMatch(/create\s+30/);
    const report: unknown = JSON.parse(await readFile(join(reportDir, 'report.json'), 'utf8'));
    expect(report).toMatchObject({ mode: 'apply', scope: 'partial', summary: { accounts: 30, create: 30 } });
  });

  it('reports refused rows at once and exits 1 like apply when any row is invalid or conflicting', async () => {
    await t.startWorker();
    const path = join(t.dir, 'bad.csv');
    await writeFile(path, accountsCsv(5, ['C00002,us-east,Twin,pro', 'C7,atlantis,Lost,pro']));
    const { io, out } = captureIo(t.env);
    const code = await runEnqueueCommand(
      { kind: 'bulk-import', csv: path, flags: { wait: true, queue: t.queueName } },
      io,
    );
    expect(code).toBe(1);
    expect(out()).toContain('3 rows refused (counted in the final report as well):');
    expect(out()).toMatch(/conflict\s+us-east-C00002 \(line 3\)/);
    expect(out()).toMatch(/invalid .*\(line 8\)/);
    expect(out()).toMatch(/problems\s+invalid\s+1\s+conflict\s+2/);
  });

  it('exits 1 with the reason when the job fails', async () => {
    await t.startWorker();
    const { io, err } = captureIo(t.env);
    const code = await runEnqueueCommand({ kind: 'nightly-sync', flags: { wait: true, queue: t.queueName } }, io);
    expect(code).toBe(1);
    expect(err()).toMatch(
      /job .* failed: the nightly sync needs a host source, and ORGSYNC_SOURCE is not set on this worker/,
    );
  });

  it('prints the job id without waiting, and says when an equal reconcile is already waiting', async () => {
    const first = captureIo(t.env);
    expect(
      await runEnqueueCommand({ kind: 'reconcile', flags: { externalId: 'us-east-C1', queue: t.queueName } }, first.io),
    ).toBe(0);
    const jobId = /job (\S+)\./.exec(first.out())?.[1];
    expect(jobId).toBeDefined();
    const second = captureIo(t.env);
    expect(
      await runEnqueueCommand(
        { kind: 'reconcile', flags: { externalId: 'us-east-C1', queue: t.queueName } },
        second.io,
      ),
    ).toBe(0);
    expect(second.out()).toBe(`An equal reconcile job is already waiting: job ${jobId} (not enqueued again).\n`);
    expect(await t.queue.getJobCountByTypes('waiting', 'delayed')).toBe(1);
  });
});

describe('orgsync runs', () => {
  it('lists the run history and shows one run, as a table or as JSON', async () => {
    await t.startWorker();
    const { io } = captureIo(t.env);
    expect(
      await runEnqueueCommand(
        {
          kind: 'reconcile',
          flags: {
            accountId: 'C1',
            region: 'us-east',
            displayName: 'Acme',
            metadata: ['billing_plan=pro'],
            wait: true,
            queue: t.queueName,
          },
        },
        io,
      ),
    ).toBe(0);
    expect(t.emulator.store.getByExternalId('us-east-C1')?.metadata).toEqual({ billing_plan: 'pro' });

    const table = captureIo(t.env);
    expect(await runRunsCommand({ flags: { queue: t.queueName } }, table.io)).toBe(0);
    const [header, row] = table.out().split('\n');
    expect(header).toMatch(/^RUN\s+KIND\s+TRIGGER\s+STARTED\s+DURATION\s+RESULT\s+COUNTS$/);
    expect(row).toMatch(
      /^[0-9a-f-]{36}\s+reconcile\s+cli\s+\d{4}-\d\d-\d\dT[\d:]+Z\s+[\d.]+ s\s+ok\s+1 account: create 1$/,
    );

    const json = captureIo(t.env);
    await runRunsCommand({ flags: { queue: t.queueName, json: true } }, json.io);
    const runs: unknown = JSON.parse(json.out());
    expect(runs).toEqual([
      expect.objectContaining({
        kind: 'reconcile',
        trigger: 'cli',
        result: 'ok',
        counts: expect.objectContaining({ create: 1 }),
      }),
    ]);
    const runId = (await t.history.list())[0]?.run_id ?? '';

    const shown = captureIo(t.env);
    expect(await runRunsCommand({ flags: { queue: t.queueName }, runId }, shown.io)).toBe(0);
    expect(shown.out()).toContain(`run ${runId}: reconcile, started by cli`);
    expect(shown.out()).toMatch(/create\s+us-east-C1/);

    const shownJson = captureIo(t.env);
    await runRunsCommand({ flags: { queue: t.queueName, json: true }, runId }, shownJson.io);
    expect(JSON.parse(shownJson.out())).toMatchObject({
      summary: { run_id: runId },
      report: { run_id: runId, items: [{ action: 'create' }] },
    });

    const unknown = captureIo(t.env);
    expect(await runRunsCommand({ flags: { queue: t.queueName }, runId: 'nope' }, unknown.io)).toBe(1);
    expect(unknown.err()).toContain('no run nope in the history');
  });

  it('is wired into the CLI', async () => {
    const { io, out } = captureIo(t.env);
    await buildProgram(io).parseAsync(['node', 'orgsync', 'runs', '--queue', t.queueName]);
    expect(out()).toContain('No runs recorded yet');
    process.exitCode = undefined;
  });
});

describe('orgsync worker', () => {
  it('runs until SIGTERM, then shuts down and exits 0', async () => {
    const signals = new EventEmitter();
    const { io, err } = captureIo(t.env);
    const running = runWorkerCommand({ queue: t.queueName, concurrency: '1' }, io, signals);
    await pollUntil('the worker to listen for signals', () => signals.listenerCount('SIGTERM') > 0);
    expect(err()).toContain('the nightly sync is not scheduled: ORGSYNC_SOURCE is not set');
    const { jobId } = await t
      .producer()
      .enqueue('reconcile', { account: { account_id: 'C1', region: 'us-east', display_name: 'Acme' } });
    await pollUntil(
      'the reconcile to complete',
      async () => (await (await t.queue.getJob(jobId))?.getState()) === 'completed',
    );
    signals.emit('SIGTERM', 'SIGTERM');
    expect(await running).toBe(0);
    expect(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT')).toBe(0);
  });
});
