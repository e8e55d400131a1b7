import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier, type DeliveryResult, type NotifierOptions } from '../../src/notify/notifier.js';
import type { NoticeRun } from '../../src/notify/run-notice.js';
import { startWebhookReceiver, type ReceiverAnswer, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { captureLogger } from './queue-helpers.js';

const receivers: WebhookReceiver[] = [];

afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});

async function receiver(answer?: (n: number) => ReceiverAnswer): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver(answer);
  receivers.push(r);
  return r;
}

const FAILED_RUN: NoticeRun = {
  runId: 'run-1',
  kind: 'bulk-import',
  summary: {
    accounts: 10,
    create: 2,
    update: 1,
    unchanged: 5,
    orphan: 0,
    delete: 0,
    adoptable: 0,
    invalid: 1,
    conflict: 0,
    stale: 0,
    failed: 1,
    api_calls: 9,
  },
  startedAt: '2026-11-29T02:00:00.000Z',
  finishedAt: '2026-11-29T02:01:30.000Z',
};

/** A notifier with fast backoff, whose deliveries are kept in `results` and logs in `lines`. */
function notifier(urls: string[], options: Partial<NotifierOptions> = {}) {
  const { logger, lines } = captureLogger('debug');
  const results: DeliveryResult[] = [];
  const n = createNotifier({
    urls,
    logger,
    baseDelayMs: 5,
    onDelivery: (result) => void results.push(result),
    ...options,
  });
  return { n, lines, results };
}

describe('createNotifier', () => {
  it('retries a 500 and a 503 with the same webhook-id, then counts one sent delivery', async () => {
    const r = await receiver((i) => (i === 0 ? 500 : i === 1 ? 503 : 200));
    const { n, results, lines } = notifier([`${r.origin}/hook`], {
      secret: `whsec_${Buffer.from('k'.repeat(24)).toString('base64')}`,
    });
    await n.send(FAILED_RUN);
    expect(r.posts).toHaveLength(3);
    expect(new Set(r.posts.map((p) => p.headers['webhook-id'])).size).toBe(1);
    expect(r.posts[0]?.headers['webhook-id']).toMatch(/^msg_/);
    expect(r.posts.every((p) => p.body === r.posts[0]?.body)).toBe(true);
    expect(results).toEqual(['sent']);
    expect(lines.find((l) => l['msg'] === 'notification sent')).toMatchObject({ attempts: 3, target: r.origin });
  });

  it('gives up after 3 tries, logs the reason without the URL path or query, and counts it failed', async () => {
    const r = await receiver(() => 500);
    const { n, results, lines } = notifier([`${r.origin}/services/T/B/SECRETPATH?token=SECRETQUERY`]);
    const notice = await n.send(FAILED_RUN);
    expect(notice.result).toBe('failed');
    expect(r.posts).toHaveLength(3);
    // Unsigned, every try still carries the one webhook-id.
    expect(new Set(r.posts.map((p) => p.headers['webhook-id'])).size).toBe(1);
    expect(r.posts[0]?.headers['webhook-id']).toMatch(/^msg_/);
    expect(results).toEqual(['failed']);
    const failed = lines.find((l) => l['msg'] === 'notification failed');
    expect(failed).toMatchObject({ attempts: 3, target: r.origin, run_id: 'run-1', kind: 'bulk-import' });
    expect(String(failed?.['reason'])).toContain('500');
    expect(JSON.stringify(lines)).not.toMatch(/SECRETPATH|SECRETQUERY/);
  });

  it('sends the credentials of a URL as basic auth, never in a log line', async () => {
    const r = await receiver(() => 500);
    const url = new URL(r.origin);
    url.username = 'hook-user';
    url.password = 'p@ss word';
    const { n, lines } = notifier([url.href], { maxAttempts: 1 });
    await n.send(FAILED_RUN);
    expect(r.posts[0]?.headers.authorization).toBe(`Basic ${Buffer.from('hook-user:p@ss word').toString('base64')}`);
    expect(lines.find((l) => l['msg'] === 'notification failed')?.['target']).toBe(r.origin);
    expect(JSON.stringify(lines)).not.toMatch(/hook-user|p@ss|p%40ss/);
  });

  it('does not retry a 400 (the receiver refuses the document)', async () => {
    const r = await receiver(() => 400);
    const { n, results } = notifier([r.origin]);
    await n.send(FAILED_RUN);
    expect(r.posts).toHaveLength(1);
    expect(results).toEqual(['failed']);
  });

  it('times out a receiver that never answers, each try, and ends failed', async () => {
    const r = await receiver(() => 'hang');
    const { n, results, lines } = notifier([r.origin], { timeoutMs: 150 });
    const started = Date.now();
    await n.send(FAILED_RUN);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 150);
    expect(r.posts).toHaveLength(3);
    expect(results).toEqual(['failed']);
    expect(String(lines.find((l) => l['msg'] === 'notification failed')?.['reason'])).toContain(
      'no answer within 150 ms',
    );
  });

  it('sends one POST to each of several URLs; one failing does not stop the other', async () => {
    const good = await receiver();
    const bad = await receiver(() => 404);
    const { n, results, lines } = notifier([`${bad.origin}/a`, `${good.origin}/b`]);
    await n.send(FAILED_RUN);
    expect(good.posts).toHaveLength(1);
    expect(bad.posts).toHaveLength(1);
    expect(good.posts[0]?.body).toBe(bad.posts[0]?.body);
    expect(results.sort()).toEqual(['failed', 'sent']);
    expect(lines.find((l) => l['msg'] === 'notification failed')?.['target']).toBe(`${bad.origin} (URL 1 of 2)`);
  });

  it('builds the document: one human line, the verdict, the summary and the run page', async () => {
    const r = await receiver();
    const { n } = notifier([r.origin], { publicUrl: 'https://orgsync.example.com/' });
    await n.send(FAILED_RUN);
    expect(r.posts[0]?.json).toEqual({
      text: 'orgsync bulk-import failed: 10 accounts: create 2, update 1, invalid 1, failed 1 — https://orgsync.example.com/runs/run-1',
      run_id: 'run-1',
      kind: 'bulk-import',
      result: 'failed',
      summary: FAILED_RUN.summary,
      started_at: FAILED_RUN.startedAt,
      finished_at: FAILED_RUN.finishedAt,
      url: 'https://orgsync.example.com/runs/run-1',
      error: null,
    });
  });

  it('filters by ORGSYNC_NOTIFY_ON', () => {
    const on = (setting: NotifierOptions['on']) => {
      const { n } = notifier(['http://127.0.0.1:9/'], { on: setting });
      return (['ok', 'drift', 'failed'] as const).filter((verdict) => n.wants(verdict));
    };
    expect(on(undefined)).toEqual(['failed']);
    expect(on('failure')).toEqual(['failed']);
    expect(on('drift')).toEqual(['drift', 'failed']);
    expect(on('always')).toEqual(['ok', 'drift', 'failed']);
  });

  it('close waits for a delivery in flight up to its deadline, then abandons it as failed', async () => {
    const r = await receiver(() => 'hang');
    const { n, results } = notifier([r.origin], { timeoutMs: 60_000 });
    const sending = n.send(FAILED_RUN);
    await expect.poll(() => r.posts.length).toBe(1);
    await n.close(100);
    await sending;
    expect(results).toEqual(['failed']);
  });
});
