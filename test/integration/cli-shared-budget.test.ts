import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { domainRules } from '../../src/app.js';
import { enqueueBulkImport } from '../../src/app/producer.js';
import { createCsvSource } from '../../src/sources/csv-source.js';
import { createRedisLock } from '../../src/store/redis-lock.js';
import { rateBudgetKeys } from '../../src/store/redis-rate-budget.js';
import { freePort } from '../helpers/free-port.js';
import { runCli } from '../helpers/run-cli.js';
import { createQueueTestEnv, type QueueTestEnv } from './queue-env.js';
import { accountsCsv, completedJob, pollUntil } from './queue-helpers.js';

let t: QueueTestEnv | undefined;

afterEach(async () => {
  if (t) await t.redis.del(...Object.values(rateBudgetKeys(t.emulator.url)));
  await t?.close();
  t = undefined;
});

/** Accounts `X00001`… (eu-west), so that they never collide with `accountsCsv`'s us-east rows. */
function cliCsv(count: number): string {
  const lines = ['account_id,region,display_name,billing_plan'];
  for (let i = 1; i <= count; i += 1) lines.push(`X${String(i).padStart(5, '0')},eu-west,CLI Company ${i},pro`);
  return `${lines.join('\n')}\n`;
}

function externalIds(q: QueueTestEnv): string[] {
  return q.emulator.store.snapshot().organizations.map((o) => o.external_id ?? '');
}

describe('orgsync apply from the CLI beside busy workers (REDIS_URL set)', () => {
  it('joins their rate budget: the busiest second stays within ORGSYNC_RATE_LIMIT + 10%, and the run completes', async () => {
    const ratePerSecond = 100;
    t = await createQueueTestEnv({ env: { ORGSYNC_RATE_LIMIT: String(ratePerSecond) } });
    const importPath = join(t.dir, 'import.csv');
    const cliPath = join(t.dir, 'cli.csv');
    await writeFile(importPath, accountsCsv(2_000));
    await writeFile(cliPath, cliCsv(150));
    await Promise.all([t.startWorker({ concurrency: 2 }), t.startWorker({ concurrency: 2 })]);
    const { jobId } = await enqueueBulkImport(t.producer(), {
      source: createCsvSource({ path: importPath }),
      rules: domainRules(t.config),
      chunkSize: 250,
    });
    const emulator = t.emulator;
    await pollUntil('the workers to be busy creating', () => emulator.counters().writes.create >= 100);

    const cli = await runCli(['apply', '--source', `csv:${cliPath}`], t.env, { timeoutMs: 90_000 });

    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/create\s*\|?\s*150/);
    // The CLI ran beside the import, not after it.
    expect(await t.queue.getJobState(jobId)).not.toBe('completed');
    await completedJob(t.queue, jobId, 'the import to finish', 90_000);

    const busiest = emulator.counters().busiestSecond;
    expect(busiest.apiCalls).toBeLessThanOrEqual(ratePerSecond * 1.1);
    const ids = externalIds(t);
    expect(ids).toHaveLength(2_150);
    expect(new Set(ids).size).toBe(2_150);
  }, 150_000);

  it("takes the workers' per-organization lock before writing an organization", async () => {
    t = await createQueueTestEnv();
    const q = t;
    const cliPath = join(q.dir, 'cli.csv');
    await writeFile(cliPath, cliCsv(2));
    // A worker holds the lock on X00001's organization (same Redis, same Scalekit environment).
    const lock = createRedisLock({ redis: q.redis, scope: q.emulator.url });
    let release = () => undefined as void;
    let entered = () => undefined as void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const holding = lock.exclusive(
      'eu-west-X00001',
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
          entered();
        }),
    );
    await inside;

    const cli = runCli(['apply', '--source', `csv:${cliPath}`], q.env, { timeoutMs: 60_000 });
    await pollUntil('the CLI to create the unlocked organization', () => externalIds(q).includes('eu-west-X00002'));
    expect(externalIds(q)).not.toContain('eu-west-X00001');
    release();
    await holding;

    const result = await cli;
    expect(result.code, result.stderr).toBe(0);
    expect(externalIds(q).sort()).toEqual(['eu-west-X00001', 'eu-west-X00002']);
  });

  it('fails clearly, writing nothing, when Redis is unreachable; --no-shared-budget runs on its own budget', async () => {
    t = await createQueueTestEnv();
    const cliPath = join(t.dir, 'cli.csv');
    await writeFile(cliPath, cliCsv(3));
    const port = await freePort();
    const env = { ...t.env, REDIS_URL: `redis://ops:s3cret-pass@127.0.0.1:${port}/0` };

    const refused = await runCli(['apply', '--source', `csv:${cliPath}`], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`cannot reach Redis at redis://127.0.0.1:${port}/0`);
    expect(refused.stderr).toContain('--no-shared-budget');
    expect(refused.stderr).not.toContain('s3cret-pass');
    expect(refused.stderr).not.toContain('unexpected error');
    expect(t.emulator.counters().totals.requests).toBe(0);

    const plan = await runCli(['plan', '--source', `csv:${cliPath}`], env);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('--no-shared-budget');

    const help = await runCli(['apply', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(
      "--no-shared-budget with REDIS_URL set: do not join the workers' shared rate budget and per-organization locks",
    );

    const alone = await runCli(['apply', '--source', `csv:${cliPath}`, '--no-shared-budget'], env);
    expect(alone.code, alone.stderr).toBe(0);
    expect(externalIds(t).sort()).toEqual(['eu-west-X00001', 'eu-west-X00002', 'eu-west-X00003']);
  });
});
