import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { runCli } from '../helpers/run-cli.js';
import { startWebhookReceiver, type ReceiverAnswer, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { accountsCsv } from './queue-helpers.js';

let emulator: RunningEmulator;
let dir: string;
let csvPath: string;
let receiver: WebhookReceiver | undefined;

beforeEach(async () => {
  emulator = await startEmulator({ port: 0, clientId: 'cli-id', clientSecret: 'cli-secret' });
  dir = await mkdtemp(join(tmpdir(), 'orgsync-cli-notify-'));
  csvPath = join(dir, 'accounts.csv');
  await writeFile(csvPath, accountsCsv(2));
});

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

/** The CLI's settings, notifying a fresh receiver. REDIS_URL points nowhere (runs use --no-shared-budget): counting is skipped, quickly. */
async function notifyingEnv(answer: (n: number) => ReceiverAnswer, extra: Record<string, string> = {}) {
  receiver = await startWebhookReceiver(answer);
  return {
    receiver,
    env: {
      SCALEKIT_ENVIRONMENT_URL: emulator.url,
      SCALEKIT_CLIENT_ID: 'cli-id',
      SCALEKIT_CLIENT_SECRET: 'cli-secret',
      ORGSYNC_RATE_LIMIT: '500',
      REDIS_URL: 'redis://127.0.0.1:1',
      ORGSYNC_NOTIFY_URL: `${receiver.origin}/hooks/SECRETPATH?token=SECRETQUERY`,
      ...extra,
    },
  };
}

describe('orgsync apply notifies ORGSYNC_NOTIFY_URL before it exits', () => {
  it('POSTs one document for the run (drift with ORGSYNC_NOTIFY_ON=drift), linking its run page', async () => {
    const { receiver: r, env } = await notifyingEnv(() => 200, {
      ORGSYNC_NOTIFY_ON: 'drift',
      ORGSYNC_PUBLIC_URL: 'https://orgsync.example.com',
    });
    const reportDir = join(dir, 'reports');
    const result = await runCli(
      ['apply', '--no-shared-budget', '--source', `csv:${csvPath}`, '--report-dir', reportDir],
      env,
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(await readFile(join(reportDir, 'report.json'), 'utf8')) as Record<string, unknown>;
    expect(r.posts).toHaveLength(1);
    expect(r.posts[0]?.json).toEqual({
      text: `orgsync cli-apply drift: 2 accounts: create 2 — https://orgsync.example.com/runs/${String(report['run_id'])}`,
      run_id: report['run_id'],
      kind: 'cli-apply',
      result: 'drift',
      summary: report['summary'],
      started_at: report['started_at'],
      finished_at: report['finished_at'],
      url: `https://orgsync.example.com/runs/${String(report['run_id'])}`,
      error: null,
    });
  });

  it('notifies a failed apply by default and keeps its exit code', async () => {
    const { receiver: r, env } = await notifyingEnv(() => 200);
    emulator.injectFault({ method: 'POST', route: '/api/v1/organizations', kind: 'http-500', count: 1_000 });
    const result = await runCli(['apply', '--no-shared-budget', '--source', `csv:${csvPath}`], env);
    expect(result.code).toBe(1);
    expect(r.posts).toHaveLength(1);
    expect(r.posts[0]?.json).toMatchObject({ kind: 'cli-apply', result: 'failed', summary: { failed: 2 }, url: null });
  });

  it('notifies an apply that failed without a report (Scalekit refused the credentials)', async () => {
    const { receiver: r, env } = await notifyingEnv(() => 200);
    const result = await runCli(['apply', '--no-shared-budget', '--source', `csv:${csvPath}`], {
      ...env,
      SCALEKIT_CLIENT_SECRET: 'wrong',
    });
    expect(result.code).toBe(1);
    expect(r.posts).toHaveLength(1);
    expect(r.posts[0]?.json).toMatchObject({
      kind: 'cli-apply',
      result: 'failed',
      summary: null,
      error: { code: 'ERR_SCALEKIT_UNAUTHENTICATED' },
    });
    expect(JSON.stringify(r.posts[0]?.json)).not.toContain('wrong');
  });

  it('keeps exit code 0 when every try of the notification fails, and logs it without the URL', async () => {
    const { receiver: r, env } = await notifyingEnv(() => 503, { ORGSYNC_NOTIFY_ON: 'always' });
    const result = await runCli(['apply', '--no-shared-budget', '--source', `csv:${csvPath}`], env, {
      timeoutMs: 60_000,
    });
    expect(result.code).toBe(0);
    expect(r.posts).toHaveLength(3);
    expect(result.stderr).toContain('notification failed');
    expect(result.stderr).not.toMatch(/SECRETPATH|SECRETQUERY/);
  });

  it('does not notify a plan, whatever ORGSYNC_NOTIFY_ON says', async () => {
    const { receiver: r, env } = await notifyingEnv(() => 200, { ORGSYNC_NOTIFY_ON: 'always' });
    const result = await runCli(['plan', '--no-shared-budget', '--source', `csv:${csvPath}`], env);
    expect(result.code).toBe(0);
    expect(r.posts).toHaveLength(0);
  });
});
