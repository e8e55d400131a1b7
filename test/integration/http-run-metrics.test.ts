import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpService, type HttpService } from '../../src/app/http-service.js';
import { runEnqueueCommand } from '../../src/commands/enqueue.js';
import { loadConfig, SCALEKIT_SETTINGS } from '../../src/config.js';
import { queueKeyPrefix } from '../../src/store/redis-connections.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { createQueueTestEnv, type QueueTestEnv } from './queue-env.js';
import { accountsCsv, captureIo, pollUntil } from './queue-helpers.js';

let t: QueueTestEnv | undefined;
let receiver: WebhookReceiver | undefined;
let dir: string | undefined;
const services: HttpService[] = [];

afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
  await t?.close();
  await receiver?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  t = receiver = dir = undefined;
});

/** `orgsync serve` on the test's queue (its own process in production: here, its own connections). */
async function serve(env: QueueTestEnv): Promise<HttpService> {
  const config = loadConfig({ env: { ...env.env, ORGSYNC_HTTP_PORT: '0' }, require: SCALEKIT_SETTINGS });
  const service = await startHttpService({
    config,
    logger: pino({ level: 'silent' }),
    queueName: env.queueName,
    rateBudgetKeyPrefix: queueKeyPrefix(env.queueName),
  });
  services.push(service);
  return service;
}

/** Every sample of `/metrics` as `name{label="v",...}` (labels sorted) → value. */
async function scrape(service: HttpService): Promise<Map<string, number>> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = (match[2] ?? '').split(/,(?=[a-z_]+=")/).filter((l) => l !== '');
    samples.set(`${match[1]}{${labels.sort().join(',')}}`, Number(match[3]));
  }
  return samples;
}

const seconds = (iso: string | undefined) => Date.parse(iso ?? '') / 1000;

async function nightly(env: QueueTestEnv): Promise<number> {
  const { io } = captureIo(env.env);
  return runEnqueueCommand({ kind: 'nightly-sync', flags: { wait: true, queue: env.queueName } }, io);
}

describe('the alerting metrics of orgsync serve, from the run history in Redis', () => {
  it('show the last run per kind and result, the last success, durations, drift and notifications of runs a worker made', async () => {
    receiver = await startWebhookReceiver();
    dir = await mkdtemp(join(tmpdir(), 'orgsync-metrics-'));
    const csvPath = join(dir, 'accounts.csv');
    await writeFile(csvPath, accountsCsv(2));
    t = await createQueueTestEnv({
      env: { ORGSYNC_SOURCE: `csv:${csvPath}`, ORGSYNC_NOTIFY_URL: receiver.origin, ORGSYNC_RECONCILE_DELAY_MS: '0' },
    });
    await t.startWorker();

    expect(await nightly(t)).toBe(0); // creates 2: drift
    await writeFile(csvPath, accountsCsv(2).replace('Company 2,', 'Company Two,'));
    t.emulator.injectFault({ method: 'PATCH', route: '/api/v1/organizations/{id}', kind: 'http-500', count: 1_000 });
    expect(await nightly(t)).toBe(1); // the update fails: failed, notified
    const { io } = captureIo(t.env);
    expect(
      await runEnqueueCommand(
        {
          kind: 'reconcile',
          flags: { accountId: 'R1', region: 'us-east', displayName: 'R', wait: true, queue: t.queueName },
        },
        io,
      ),
    ).toBe(0);
    const [reconcile, failed, drifted] = await t.history.list();
    expect([reconcile?.kind, failed?.kind, drifted?.kind]).toEqual(['reconcile', 'nightly-sync', 'nightly-sync']);

    const first = await serve(t);
    await pollUntil(
      'the notification to be counted',
      async () => (await scrape(first)).get('orgsync_notifications_total{result="sent"}') === 1,
    );
    const metrics = await scrape(first);
    const nightlyKind = 'kind="nightly-sync"';
    expect(metrics.get(`orgsync_last_run_timestamp_seconds{${nightlyKind},result="drift"}`)).toBe(
      seconds(drifted?.finished_at),
    );
    expect(metrics.get(`orgsync_last_run_timestamp_seconds{${nightlyKind},result="failed"}`)).toBe(
      seconds(failed?.finished_at),
    );
    expect(metrics.has(`orgsync_last_run_timestamp_seconds{${nightlyKind},result="ok"}`)).toBe(false);
    expect(metrics.get(`orgsync_last_success_timestamp_seconds{${nightlyKind}}`)).toBe(seconds(drifted?.finished_at));
    expect(metrics.get(`orgsync_last_success_timestamp_seconds{kind="reconcile"}`)).toBe(
      seconds(reconcile?.finished_at),
    );
    expect(metrics.get(`orgsync_run_duration_seconds_count{${nightlyKind}}`)).toBe(2);
    expect(metrics.get(`orgsync_run_duration_seconds_sum{${nightlyKind}}`)).toBeCloseTo(
      ((failed?.duration_ms ?? 0) + (drifted?.duration_ms ?? 0)) / 1000,
      6,
    );
    expect(metrics.get(`orgsync_run_duration_seconds_bucket{${nightlyKind},le="+Inf"}`)).toBe(2);
    expect(metrics.get(`orgsync_run_duration_seconds_count{kind="reconcile"}`)).toBe(1);
    // Drift of the newest run of each kind: the failed nightly sync, not the reconcile after it.
    expect(metrics.get(`orgsync_drift_items{action="failed",${nightlyKind}}`)).toBe(1);
    expect(metrics.get(`orgsync_drift_items{action="create",${nightlyKind}}`)).toBe(0);
    expect(metrics.get(`orgsync_drift_items{action="create",kind="reconcile"}`)).toBe(1);
    expect(metrics.get('orgsync_notifications_total{result="failed"}')).toBe(0);

    // Another serve (a restart, or a second instance) shows the same: nothing is kept in memory.
    await first.close();
    const second = await serve(t);
    const again = await scrape(second);
    for (const name of [
      `orgsync_last_run_timestamp_seconds{${nightlyKind},result="failed"}`,
      `orgsync_last_success_timestamp_seconds{${nightlyKind}}`,
      `orgsync_run_duration_seconds_count{${nightlyKind}}`,
      `orgsync_drift_items{action="failed",${nightlyKind}}`,
      'orgsync_notifications_total{result="sent"}',
    ])
      expect([name, again.get(name)]).toEqual([name, metrics.get(name)]);
  });
});
