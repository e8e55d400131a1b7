import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { domainRules } from '../../src/app.js';
import { enqueueBulkImport } from '../../src/app/producer.js';
import type { RunJobResult } from '../../src/queue/job-processor.js';
import { createCsvSource } from '../../src/sources/csv-source.js';
import { createQueueTestEnv, type QueueTestEnv } from './queue-env.js';
import { accountsCsv, completedJob, pollUntil } from './queue-helpers.js';

let t: QueueTestEnv;

beforeEach(async () => {
  // Latency makes each chunk take long enough to be caught mid-flight.
  t = await createQueueTestEnv({ emulator: { latencyMs: 15 }, env: { ORGSYNC_CONCURRENCY: '4' } });
});

afterEach(async () => {
  await t.close();
});

function linesOf(msg: string, kind: string): Record<string, unknown>[] {
  return t.lines.filter((l) => l.msg === msg && l.kind === kind);
}

describe('a worker killed in the middle of an import', () => {
  it('loses only the chunk in flight: another worker finishes the import without redoing finished chunks', async () => {
    const path = join(t.dir, 'accounts.csv');
    await writeFile(path, accountsCsv(1_000));
    const first = await t.startWorker({ concurrency: 1 });
    const { jobId } = await enqueueBulkImport(t.producer(), {
      source: createCsvSource({ path }),
      rules: domainRules(t.config),
      chunkSize: 200,
    });

    await pollUntil(
      'two chunks done and a third one running',
      () =>
        linesOf('job finished', 'bulk-import-chunk').length >= 2 &&
        linesOf('job started', 'bulk-import-chunk').length >= 3,
    );
    await first.kill();
    const doneBeforeKill = new Set(linesOf('job finished', 'bulk-import-chunk').map((l) => l.job_id));
    const startedBeforeKill = linesOf('job started', 'bulk-import-chunk').length;

    await t.startWorker({ concurrency: 2 });
    const job = await completedJob(t.queue, jobId, 'the import to finish', 60_000);
    const result: RunJobResult = job.returnvalue;

    const starts = new Map<unknown, number>();
    for (const line of linesOf('job started', 'bulk-import-chunk'))
      starts.set(line.job_id, (starts.get(line.job_id) ?? 0) + 1);
    for (const id of doneBeforeKill) expect(starts.get(id)).toBe(1);
    expect(starts.size).toBe(5);
    // Every chunk ran once, except the one in flight at the kill, which ran again.
    expect([...starts.values()].reduce((a, b) => a + b, 0)).toBe(5 + (startedBeforeKill - doneBeforeKill.size));

    expect(result.summary).toMatchObject({ accounts: 1_000, failed: 0, invalid: 0, conflict: 0 });
    expect(result.summary.create + result.summary.unchanged).toBe(1_000);
    const orgs = t.emulator.store.snapshot().organizations;
    expect(orgs).toHaveLength(1_000);
    expect(new Set(orgs.map((o) => o.external_id)).size).toBe(1_000);
  });
});
