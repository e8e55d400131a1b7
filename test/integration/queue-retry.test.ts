import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectScalekit, type ConnectScalekit } from '../../src/app.js';
import { buildProgram } from '../../src/cli.js';
import { runEnqueueCommand } from '../../src/commands/enqueue.js';
import { runRetryCommand } from '../../src/commands/retry.js';
import type { EmulatorCounters } from '../../src/emulator/counters.js';
import { buildReport } from '../../src/engine/report.js';
import { createScalekitClient } from '../../src/scalekit/index.js';
import { createQueueTestEnv, type QueueTestEnv } from './queue-env.js';
import { accountsCsv, captureIo } from './queue-helpers.js';

let t: QueueTestEnv;

/** The worker's clients give up after 2 attempts, 1 ms apart: an injected fault fails an item quickly. */
const impatientScalekit: ConnectScalekit = (config, logger, options = {}) => {
  const defaults = connectScalekit(config, logger, options);
  void defaults.close();
  const client = createScalekitClient({
    environmentUrl: config.scalekitEnvironmentUrl,
    clientId: config.scalekitClientId,
    clientSecret: config.scalekitClientSecret,
    rateBudget: defaults.rateBudget,
    logger,
    onRequest: options.onRequest,
    maxAttempts: 2,
    baseDelayMs: 1,
    maxDelayMs: 2,
  });
  return { api: client, rateBudget: defaults.rateBudget, close: () => client.close() };
};

beforeEach(async () => {
  // One write at a time: the scripted faults strike the first creates, whole.
  t = await createQueueTestEnv({ env: { ORGSYNC_CONCURRENCY: '1' } });
  await t.startWorker({ concurrency: 1, connectScalekit: impatientScalekit });
});

afterEach(async () => {
  await t.close();
});

/** `after - before` for the counters that show which writes were made. */
function callsSince(before: EmulatorCounters, after: EmulatorCounters) {
  const route = (name: string) => {
    const diff: Record<string, number> = {};
    for (const [outcome, n] of Object.entries(after.routes[name] ?? {})) {
      const d = n - (before.routes[name]?.[outcome] ?? 0);
      if (d !== 0) diff[outcome] = d;
    }
    return diff;
  };
  return {
    creates: after.writes.create - before.writes.create,
    updates: after.writes.update - before.writes.update,
    deletes: after.writes.delete - before.writes.delete,
    posts: route('POST /api/v1/organizations'),
    patches: route('PATCH /api/v1/organizations/{id}'),
  };
}

describe('orgsync retry', () => {
  it('retries only the items of a bulk import that failed under injected faults, after its file is gone, and fixes them all', async () => {
    const csv = join(t.dir, 'import.csv');
    await writeFile(csv, accountsCsv(12));
    // Two attempts per create: the first 3 creates fail for good, the other 9 go through.
    t.emulator.injectFault({ method: 'POST', route: '/api/v1/organizations', kind: 'http-503', count: 6 });
    const first = captureIo(t.env);
    const importCode = await runEnqueueCommand(
      { kind: 'bulk-import', csv: `csv:${csv}`, flags: { wait: true, queue: t.queueName } },
      first.io,
    );
    expect(importCode).toBe(1);
    const [importRun] = await t.history.list(undefined, { kind: 'bulk-import' });
    expect(importRun).toMatchObject({ counts: { create: 9, failed: 3 }, retry_records: 3 });
    const failedIds = (await t.history.get(importRun?.run_id ?? ''))?.report?.items
      .filter((i) => i.action === 'failed')
      .map((i) => i.external_id);
    expect(failedIds).toEqual(['us-east-C00001', 'us-east-C00002', 'us-east-C00003']);
    await rm(csv); // the file is gone: the records kept with the run are all there is
    expect(t.emulator.store.getByExternalId('us-east-C00001')).toBeUndefined();

    const before = t.emulator.counters();
    const reportDir = join(t.dir, 'retry-reports');
    const retry = captureIo(t.env);
    const code = await runRetryCommand(
      importRun?.run_id ?? '',
      { wait: true, reportDir, queue: t.queueName },
      retry.io,
    );
    expect(retry.err()).not.toMatch(/failed/);
    expect(code).toBe(0);
    expect(retry.out()).toMatch(/^Enqueued retry job \S+: 3 items of run \S+ \(failed or stale\)\./);
    expect(retry.out()).toMatch(/create\s+3/);
    expect(callsSince(before, t.emulator.counters())).toEqual({
      creates: 3,
      updates: 0,
      deletes: 0,
      posts: { '201': 3 },
      patches: {},
    });
    for (let i = 1; i <= 12; i += 1)
      expect(t.emulator.store.getByExternalId(`us-east-C${String(i).padStart(5, '0')}`)?.display_name).toBe(
        `Company ${i}`,
      );
    const report: unknown = JSON.parse(await readFile(join(reportDir, 'report.json'), 'utf8'));
    expect(report).toMatchObject({ summary: { accounts: 3, create: 3, failed: 0 } });

    const [retryRun] = await t.history.list(undefined, { kind: 'retry' });
    expect(retryRun).toMatchObject({ kind: 'retry', trigger: 'cli', retry_of: importRun?.run_id, result: 'ok' });
    // The bulk import is still listed first under its own kind.
    expect((await t.history.list(undefined, { kind: 'bulk-import' }))[0]?.run_id).toBe(importRun?.run_id);

    // Through the CLI itself: a run with nothing left to retry says so, enqueues nothing and exits 0.
    const again = captureIo(t.env);
    const jobsBefore = await t.queue.getJobCountByTypes('completed', 'waiting', 'delayed', 'active');
    await buildProgram(again.io).parseAsync([
      'node',
      'orgsync',
      'retry',
      retryRun?.run_id ?? '',
      '--queue',
      t.queueName,
    ]);
    expect(process.exitCode).toBe(0);
    process.exitCode = undefined;
    expect(again.out()).toMatch(/has nothing to retry: no item failed or went stale/);
    expect(await t.queue.getJobCountByTypes('completed', 'waiting', 'delayed', 'active')).toBe(jobsBefore);
  });

  it('reads an account the run kept no record of from the host source, and reports the ones nobody has', async () => {
    const host = join(t.dir, 'host.csv');
    await writeFile(host, 'account_id,region,display_name\nH1,us-east,From the host\n');
    t.config.source = `csv:${host}`;
    const failed = (accountId: string) => ({
      external_id: `us-east-${accountId}`,
      account_id: accountId,
      line: null,
      action: 'failed' as const,
      org_id: null,
      changes: [],
      error: { code: 'ERR_SCALEKIT_UNAVAILABLE', message: '503' },
    });
    const startedAt = new Date(Date.now() - 60_000);
    const report = buildReport({
      runId: 'old-nightly',
      mode: 'apply',
      scope: 'full',
      source: `csv:${host}`,
      startedAt,
      accounts: 2,
      unchanged: 0,
      items: [failed('H1'), failed('GONE')],
      apiCalls: 4,
    });
    await t.history.record({
      runId: 'old-nightly',
      kind: 'nightly-sync',
      trigger: 'schedule',
      startedAt,
      finishedAt: new Date(startedAt.getTime() + 1_000),
      report,
      exitCode: 1,
    });
    const { io, out } = captureIo(t.env);
    expect(await runRetryCommand('old-nightly', { wait: true, queue: t.queueName }, io)).toBe(1);
    expect(out()).toContain('ERR_RETRY_NO_RECORD');
    expect(t.emulator.store.getByExternalId('us-east-H1')?.display_name).toBe('From the host');
    expect(t.emulator.store.getByExternalId('us-east-GONE')).toBeUndefined();
  });

  it('says so and exits 1 for an unknown run', async () => {
    const { io, err } = captureIo(t.env);
    expect(await runRetryCommand('no-such-run', { wait: true, queue: t.queueName }, io)).toBe(1);
    expect(err()).toMatch(/no run no-such-run in the history .*orgsync runs/);
  });
});
