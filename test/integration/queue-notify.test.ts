import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { NOTIFY_GRACE_MS } from '../../src/app/run-notifications.js';
import { runEnqueueCommand } from '../../src/commands/enqueue.js';
import { readNotificationCounts } from '../../src/store/notification-counter.js';
import { queueKeyPrefix } from '../../src/store/redis-connections.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { createQueueTestEnv, type QueueTestEnv } from './queue-env.js';
import { accountsCsv, captureIo, pollUntil } from './queue-helpers.js';

const SECRET = `whsec_${Buffer.from('a notification secret of 32 byte').toString('base64')}`;
const PUBLIC_URL = 'https://orgsync.example.com';
/** A chat webhook carries its token in the path and query: neither may reach a log line. */
const HOOK_PATH = '/services/T000/B000/XXXXSECRETXXXX?token=q-secret';

const queueEnvs: QueueTestEnv[] = [];
let receiver: WebhookReceiver | undefined;
let csvDir: string | undefined;

afterEach(async () => {
  // The receiver first: a delivery still hanging on it ends at once, so the worker closes at once.
  await receiver?.close();
  for (const env of queueEnvs.splice(0)) await env.close();
  if (csvDir) await rm(csvDir, { recursive: true, force: true });
  receiver = csvDir = undefined;
});

/** A receiver, a CSV as the host source (ORGSYNC_SOURCE), and a worker notifying the receiver. */
async function setUp(
  env: Record<string, string>,
  csv = accountsCsv(3),
  given?: WebhookReceiver,
): Promise<{ t: QueueTestEnv; csvPath: string; r: WebhookReceiver }> {
  receiver = given ?? (await startWebhookReceiver());
  csvDir = await mkdtemp(join(tmpdir(), 'orgsync-notify-'));
  const csvPath = join(csvDir, 'accounts.csv');
  await writeFile(csvPath, csv);
  const t = await createQueueTestEnv({
    env: {
      ORGSYNC_SOURCE: `csv:${csvPath}`,
      ORGSYNC_NOTIFY_URL: `${receiver.origin}${HOOK_PATH}`,
      ORGSYNC_RECONCILE_DELAY_MS: '0',
      ...env,
    },
  });
  queueEnvs.push(t);
  await t.startWorker();
  return { t, csvPath, r: receiver };
}

/** Deliveries counted by the workers (`orgsync_notifications_total`). */
const countsOf = (env: QueueTestEnv) => readNotificationCounts(env.redis, queueKeyPrefix(env.queueName));

/** Waits until `n` deliveries ended (sent or failed), as the workers counted them. */
async function deliveriesEnded(env: QueueTestEnv, n: number): Promise<void> {
  await pollUntil(`${n} notification deliveries`, async () => {
    const counts = await countsOf(env);
    return counts.sent + counts.failed >= n;
  });
}

async function enqueueNightly(env: QueueTestEnv): Promise<number> {
  const { io } = captureIo(env.env);
  return runEnqueueCommand({ kind: 'nightly-sync', flags: { wait: true, queue: env.queueName } }, io);
}

function bodyOf(r: WebhookReceiver, index: number): Record<string, unknown> {
  const json = r.posts[index]?.json;
  if (typeof json !== 'object' || json === null) throw new Error(`POST ${index} is not a JSON object`);
  return { ...json };
}

describe('notifications of queued runs (ORGSYNC_NOTIFY_URL)', () => {
  it('POSTs exactly one signed document with text and summary when a nightly sync through enqueue --wait fails', async () => {
    const { t, r } = await setUp({ ORGSYNC_NOTIFY_SECRET: SECRET, ORGSYNC_PUBLIC_URL: PUBLIC_URL });
    t.emulator.injectFault({ method: 'POST', route: '/api/v1/organizations', kind: 'http-500', count: 1_000 });

    expect(await enqueueNightly(t)).toBe(1);
    await deliveriesEnded(t, 1);

    expect(r.posts).toHaveLength(1);
    const [post] = r.posts;
    expect(post?.path).toBe(HOOK_PATH);
    expect(post?.headers['content-type']).toBe('application/json');
    const [run] = await t.history.list();
    const body = bodyOf(r, 0);
    expect(body).toEqual({
      text: `orgsync nightly-sync failed: 3 accounts: failed 3 — ${PUBLIC_URL}/runs/${run?.run_id}`,
      run_id: run?.run_id,
      kind: 'nightly-sync',
      result: 'failed',
      summary: expect.objectContaining({ accounts: 3, create: 0, failed: 3 }),
      started_at: run?.started_at,
      finished_at: run?.finished_at,
      url: `${PUBLIC_URL}/runs/${run?.run_id}`,
      error: null,
    });
    expect(body['summary']).toEqual(run?.counts);
    // Signed in the Standard Webhooks scheme: the receiver's own library verifies it.
    const headers = {
      'webhook-id': String(post?.headers['webhook-id']),
      'webhook-timestamp': String(post?.headers['webhook-timestamp']),
      'webhook-signature': String(post?.headers['webhook-signature']),
    };
    expect(new Webhook(SECRET).verify(post?.body ?? '', headers)).toEqual(body);
    expect(() => new Webhook(SECRET).verify(`${post?.body} `, headers)).toThrow();
    expect(await countsOf(t)).toEqual({ sent: 1, failed: 0 });
    // The log names the receiver by its origin only: no path, no query, no secret.
    const logged = JSON.stringify(t.lines);
    expect(logged).toContain('notification sent');
    expect(logged).not.toContain('XXXXSECRETXXXX');
    expect(logged).not.toContain('q-secret');
    expect(logged).not.toContain(SECRET.slice(6));
  });

  it('counts a notification the receiver keeps refusing as failed, after 3 tries, and the run keeps its result', async () => {
    receiver = await startWebhookReceiver(() => 503);
    const { t, r } = await setUp({}, accountsCsv(1), receiver);
    t.emulator.injectFault({ method: 'POST', route: '/api/v1/organizations', kind: 'http-500', count: 1_000 });
    expect(await enqueueNightly(t)).toBe(1);
    await deliveriesEnded(t, 1);
    expect(await countsOf(t)).toEqual({ sent: 0, failed: 1 });
    expect(r.posts).toHaveLength(3);
    expect((await t.history.list()).map((run) => [run.kind, run.result])).toEqual([['nightly-sync', 'failed']]);
    expect(t.lines.find((l) => l['msg'] === 'notification failed')).toMatchObject({ attempts: 3, target: r.origin });
  });

  it('does not hold a job up for a receiver that never answers: the job ends within the grace period', async () => {
    receiver = await startWebhookReceiver(() => 'hang');
    const { t, r } = await setUp({}, accountsCsv(1), receiver);
    t.emulator.injectFault({ method: 'POST', route: '/api/v1/organizations', kind: 'http-500', count: 1_000 });
    expect(await enqueueNightly(t)).toBe(1);
    const [run] = await t.history.list();
    const [job] = await t.queue.getJobs(['completed']);
    // The first try alone may take 10 s; the job waited at most NOTIFY_GRACE_MS (2 s) for it.
    expect((job?.finishedOn ?? Infinity) - Date.parse(run?.finished_at ?? '')).toBeLessThan(NOTIFY_GRACE_MS + 1_000);
    expect(r.posts).toHaveLength(1);
  });

  it('notifies a nightly sync whose job failed for good, without a report, and unsigned without a secret', async () => {
    const r = (receiver = await startWebhookReceiver());
    // A worker without ORGSYNC_SOURCE: the nightly sync fails at once, for good.
    const t = await createQueueTestEnv({ env: { ORGSYNC_NOTIFY_URL: `${r.origin}/hook` } });
    queueEnvs.push(t);
    await t.startWorker();
    expect(await enqueueNightly(t)).toBe(1);
    await deliveriesEnded(t, 1);
    expect(r.posts).toHaveLength(1);
    const body = bodyOf(r, 0);
    expect(body).toMatchObject({ kind: 'nightly-sync', result: 'failed', summary: null, url: null });
    expect(body['error']).toMatchObject({ message: expect.stringContaining('ORGSYNC_SOURCE is not set') });
    expect(String(body['text'])).toMatch(
      /^orgsync nightly-sync failed: the job failed \(\w+\), no report — run [0-9a-f-]{36}$/,
    );
    expect(r.posts[0]?.headers['webhook-signature']).toBeUndefined();
  });

  it.each([
    ['failure', ['failed']],
    ['drift', ['drift', 'failed']],
    ['always', ['drift', 'ok', 'failed']],
  ])('with ORGSYNC_NOTIFY_ON=%s notifies the runs whose result is %j', async (on, expected) => {
    const { t, r, csvPath } = await setUp({ ORGSYNC_NOTIFY_ON: on }, accountsCsv(2));
    expect(await enqueueNightly(t)).toBe(0); // creates 2: drift
    expect(await enqueueNightly(t)).toBe(0); // all in step: ok
    await writeFile(csvPath, accountsCsv(2).replace('Company 1,', 'Company One,'));
    t.emulator.injectFault({ method: 'PATCH', route: '/api/v1/organizations/{id}', kind: 'http-500', count: 1_000 });
    expect(await enqueueNightly(t)).toBe(1); // the update fails: failed
    await deliveriesEnded(t, expected.length);
    // Every hook call is awaited (briefly) before its job ends: a run not notified is never sent later.
    expect(r.posts.map((_, i) => bodyOf(r, i)['result'])).toEqual(expected);
    expect(await countsOf(t)).toEqual({ sent: expected.length, failed: 0 });
  });

  it('notifies a bulk import once, as a whole (not per chunk), with the counts of every chunk', async () => {
    const { t, r } = await setUp({ ORGSYNC_NOTIFY_ON: 'drift' });
    const path = join(csvDir ?? '', 'import.csv');
    await writeFile(path, accountsCsv(25, ['C99,atlantis,Lost,pro']));
    const { io } = captureIo(t.env);
    const code = await runEnqueueCommand(
      { kind: 'bulk-import', csv: `csv:${path}`, flags: { wait: true, queue: t.queueName, chunkSize: '10' } },
      io,
    );
    expect(code).toBe(1); // the invalid row
    await deliveriesEnded(t, 1);
    expect(r.posts).toHaveLength(1);
    expect(bodyOf(r, 0)).toMatchObject({
      kind: 'bulk-import',
      result: 'drift',
      summary: { accounts: 26, create: 25, invalid: 1, failed: 0 },
    });
    expect(String(bodyOf(r, 0)['text'])).toMatch(
      /^orgsync bulk-import drift: 26 accounts: create 25, invalid 1 — run /,
    );
  });

  it('notifies a failed reconcile at most once per external ID per hour, and never a reconcile that went through', async () => {
    const { t, r } = await setUp({ ORGSYNC_NOTIFY_ON: 'always' });
    const reconcile = async (accountId: string) => {
      const { io } = captureIo(t.env);
      return runEnqueueCommand(
        {
          kind: 'reconcile',
          flags: { accountId, region: 'us-east', displayName: `Name of ${accountId}`, wait: true, queue: t.queueName },
        },
        io,
      );
    };
    t.emulator.injectFault({ method: 'POST', route: '/api/v1/organizations', kind: 'http-500', count: 1_000 });
    expect(await reconcile('R1')).toBe(1);
    await deliveriesEnded(t, 1);
    expect(await reconcile('R1')).toBe(1); // the same account within the hour: not notified again
    expect(await reconcile('R2')).toBe(1);
    await deliveriesEnded(t, 2);
    const ttl = await t.redis.ttl(`${queueKeyPrefix(t.queueName)}notified:reconcile:us-east-R1`);
    expect(ttl).toBeGreaterThan(3_500);
    expect(ttl).toBeLessThanOrEqual(3_600);

    await fetch(`${t.emulator.url}/_emulator/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faults: true }),
    });
    expect(await reconcile('R3')).toBe(0); // went through: never notified, even with ORGSYNC_NOTIFY_ON=always
    expect((await t.history.list()).map((run) => run.result)).toEqual(['ok', 'failed', 'failed', 'failed']);
    expect(r.posts.map((_, i) => bodyOf(r, i)).map((b) => [b['kind'], b['result']])).toEqual([
      ['reconcile', 'failed'],
      ['reconcile', 'failed'],
    ]);
    expect(String(bodyOf(r, 0)['text'])).toContain('orgsync reconcile failed: 1 account: failed 1');
    expect(await countsOf(t)).toEqual({ sent: 2, failed: 0 });
  });
});
