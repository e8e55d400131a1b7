import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queueKeyPrefix } from '../../src/store/redis-connections.js';
import type { RunJobResult } from '../../src/queue/job-processor.js';
import { MAX_FUTURE_SKEW_MS } from '../../src/store/known-state.js';
import { createLatestAccounts } from '../../src/store/latest-accounts.js';
import { createQueueTestEnv, type QueueTestEnv } from './queue-env.js';
import { completedJob } from './queue-helpers.js';
import { DATABASE_URL } from '../helpers/database.js';

// Item 3 of issue 10: whatever path queued a reconcile, it applies the newest known state of the
// account. Every test queues its deliveries before any worker runs, so that they meet in one waiting
// job, exactly as when a busy worker leaves a reconcile waiting.

let t: QueueTestEnv;

beforeEach(async () => {
  t = await createQueueTestEnv();
  const hostCsv = join(t.dir, 'host.csv');
  await writeFile(hostCsv, 'account_id,region,display_name,billing_plan\nC5,us-east,Five Inc,pro\n');
  t.config.source = `csv:${hostCsv}`;
});

afterEach(async () => {
  await t.close();
});

const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

function seed(externalId: string, displayName: string): string {
  const org = t.emulator.store.create({ display_name: displayName, external_id: externalId, metadata: {} });
  if (!('id' in org)) throw new Error('seeding the emulator failed');
  return org.id;
}

async function runToEnd(jobId: string): Promise<RunJobResult> {
  await t.startWorker();
  const job = await completedJob(t.queue, jobId, 'the reconcile to complete');
  const result: RunJobResult = job.returnvalue;
  return result;
}

describe('a reconcile applies the newest known state of its account', () => {
  it('applies a rename pushed while a reconcile queued by a Scalekit event waits, not the host source', async () => {
    const orgId = seed('us-east-C5', 'Edited by hand');
    const producer = t.producer();
    const queued = await producer.enqueue('reconcile', { external_id: 'us-east-C5', trigger: 'webhook' });
    const rename = await producer.enqueue('reconcile', {
      account: { account_id: 'C5', region: 'us-east', display_name: 'Five Renamed', billing_plan: 'pro' },
      occurred_at: at(0),
      trigger: 'webhook',
    });
    expect(rename).toEqual({ jobId: queued.jobId, deduplicated: true });
    await runToEnd(queued.jobId);
    expect(t.emulator.store.get(orgId)?.display_name).toBe('Five Renamed');
  });

  it('ignores an account.deleted older than a stored upsert', async () => {
    const producer = t.producer();
    const deleted = await producer.enqueue('reconcile', {
      account: { account_id: 'C7', region: 'us-east' },
      deleted: true,
      occurred_at: at(-60_000),
      trigger: 'webhook',
    });
    await producer.enqueue('reconcile', {
      account: { account_id: 'C7', region: 'us-east', display_name: 'Seven', billing_plan: 'pro' },
      occurred_at: at(-30_000),
      trigger: 'webhook',
    });
    const result = await runToEnd(deleted.jobId);
    expect(result.summary).toMatchObject({ create: 1, orphan: 0 });
    expect(t.emulator.store.getByExternalId('us-east-C7')?.display_name).toBe('Seven');
  });

  it('lets an account.deleted newer than the stored upsert win: the organization is an orphan, nothing written', async () => {
    const orgId = seed('us-east-C8', 'Eight');
    const producer = t.producer();
    const upsert = await producer.enqueue('reconcile', {
      account: { account_id: 'C8', region: 'us-east', display_name: 'Eight Renamed' },
      occurred_at: at(-60_000),
      trigger: 'webhook',
    });
    await producer.enqueue('reconcile', {
      account: { account_id: 'C8', region: 'us-east' },
      deleted: true,
      occurred_at: at(-30_000),
      trigger: 'webhook',
    });
    const result = await runToEnd(upsert.jobId);
    expect(result.summary).toMatchObject({ orphan: 1, update: 0, delete: 0 });
    expect(t.emulator.store.get(orgId)?.display_name).toBe('Eight');
    expect(t.emulator.counters().writes).toEqual({ create: 0, update: 0, delete: 0 });
  });

  it('reads the host source when an upsert naming only the account is newer than the stored whole account', async () => {
    const producer = t.producer();
    const whole = await producer.enqueue('reconcile', {
      account: { account_id: 'C5', region: 'us-east', display_name: 'Pushed earlier' },
      occurred_at: at(-60_000),
      trigger: 'webhook',
    });
    await producer.enqueue('reconcile', {
      account: { account_id: 'C5', region: 'us-east' },
      occurred_at: at(-30_000),
      trigger: 'webhook',
    });
    await runToEnd(whole.jobId);
    expect(t.emulator.store.getByExternalId('us-east-C5')?.display_name).toBe('Five Inc');
  });

  it('clamps a future occurred_at to the signature tolerance, so that it cannot pin a value', async () => {
    const producer = t.producer();
    const pinned = await producer.enqueue('reconcile', {
      account: { account_id: 'C9', region: 'us-east', display_name: 'Pinned' },
      occurred_at: at(365 * 24 * 3_600_000),
      trigger: 'webhook',
    });
    const stored = await createLatestAccounts(t.redis, { keyPrefix: queueKeyPrefix(t.queueName) }).get('us-east-C9');
    expect(stored.pushed?.atMs).toBeLessThanOrEqual(Date.now() + MAX_FUTURE_SKEW_MS);
    // Ten minutes ahead is clamped too, but later than the first clamp: the later delivery wins.
    await producer.enqueue('reconcile', {
      account: { account_id: 'C9', region: 'us-east', display_name: 'Later' },
      occurred_at: at(10 * 60_000),
      trigger: 'webhook',
    });
    await runToEnd(pinned.jobId);
    expect(t.emulator.store.getByExternalId('us-east-C9')?.display_name).toBe('Later');
  });
});

describe('a host source that keeps updated_at (PostgreSQL)', () => {
  it('wins over a pushed state when its updated_at is later, and loses when it is earlier', async () => {
    const databaseUrl = DATABASE_URL;
    const schema = `orgsync_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.query(
        `CREATE TABLE ${schema}.accounts (account_id text, region text, display_name text, updated_at timestamptz)`,
      );
      await admin.query(`INSERT INTO ${schema}.accounts VALUES
        ('C20', 'us-east', 'Host, changed after the push', now() - interval '30 seconds'),
        ('C21', 'us-east', 'Host, changed before the push', now() - interval '90 seconds')`);
      t.config.source = `postgres:${schema}.accounts`;
      t.config.databaseUrl = databaseUrl;
      const producer = t.producer();
      const jobs = [];
      for (const accountId of ['C20', 'C21'])
        jobs.push(
          await producer.enqueue('reconcile', {
            account: { account_id: accountId, region: 'us-east', display_name: 'Pushed' },
            occurred_at: at(-60_000),
            trigger: 'webhook',
          }),
        );
      await t.startWorker();
      for (const job of jobs) await completedJob(t.queue, job.jobId, 'the reconcile');
      expect(t.emulator.store.getByExternalId('us-east-C20')?.display_name).toBe('Host, changed after the push');
      expect(t.emulator.store.getByExternalId('us-east-C21')?.display_name).toBe('Pushed');
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  });
});

describe('the latest-account store', () => {
  it('keeps the newest state, whole accounts and deletes alike, whatever the order of arrival', async () => {
    const store = createLatestAccounts(t.redis, { keyPrefix: queueKeyPrefix(t.queueName) });
    expect(
      await store.putPushed('us-east-L2', { kind: 'account', account: { display_name: 'new' }, atMs: 2_000 }),
    ).toBe(true);
    expect(await store.putPushed('us-east-L2', { kind: 'deleted', atMs: 1_000 })).toBe(false);
    expect((await store.get('us-east-L2')).pushed).toEqual({
      kind: 'account',
      account: { display_name: 'new' },
      atMs: 2_000,
    });
    expect(await store.putPushed('us-east-L2', { kind: 'deleted', atMs: 3_000 })).toBe(true);
    expect((await store.get('us-east-L2')).pushed).toEqual({ kind: 'deleted', atMs: 3_000 });
    expect(await store.get('us-east-L3')).toEqual({ pushed: null, observed: null });
  });

  it('keeps a stored account exactly: an absent field stays absent, null stays null, nothing filled from older versions', async () => {
    const store = createLatestAccounts(t.redis, { keyPrefix: queueKeyPrefix(t.queueName) });
    await store.putPushed('us-east-L4', {
      kind: 'account',
      account: { display_name: 'Old', tax_id: 'DE123', billing_plan: 'pro' },
      atMs: 1_000,
    });
    await store.putPushed('us-east-L4', {
      kind: 'account',
      account: { display_name: 'New', billing_plan: null },
      atMs: 2_000,
    });
    const { pushed } = await store.get('us-east-L4');
    expect(pushed?.kind === 'account' ? Object.entries(pushed.account) : null).toEqual([
      ['display_name', 'New'],
      ['billing_plan', null],
    ]);
  });
});
