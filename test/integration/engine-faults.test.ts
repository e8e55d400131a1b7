import { describe, expect, it } from 'vitest';
import { CSV_HEADER, useHarnessPerTest } from '../helpers/engine-harness.js';

const startHarness = useHarnessPerTest();

function accountsCsv(count: number, bad: number): string {
  const rows = Array.from(
    { length: count },
    (_, i) =>
      `F-${i},${['us-east', 'eu-west', 'ap-south'][i % 3]},Faulty ${i},billing${i}@example.com,plan${i % 4},EUR,`,
  );
  for (let i = 0; i < bad; i += 1) rows.push(`BAD-${i},moon-base,Bad ${i},,,,`);
  return `${CSV_HEADER}${rows.join('\n')}\n`;
}

describe('apply under injected faults and rate limits', () => {
  it('converges with no duplicate, loses no row, and accounts for every failure', async () => {
    const existing = Array.from({ length: 60 }, (_, i) => ({
      display_name: `Old ${i}`,
      external_id: `${['us-east', 'eu-west', 'ap-south'][i % 3]}-F-${i}`,
      metadata: { keep_me: 'yes' },
    }));
    const harness = await startHarness(
      {
        seed: { organizations: existing },
        faultRate: 0.15,
        faultKinds: ['http-500', 'http-503', 'drop', 'timeout'],
        randomSeed: 42,
        rateLimit: { perSecond: 100, retryAfter: false },
      },
      { maxAttempts: 3 },
    );
    const path = await harness.csv('faulty.csv', accountsCsv(150, 3));
    let runs = 0;
    for (;;) {
      runs += 1;
      const { report } = await harness.run(path, { mode: 'apply', concurrency: 8 });
      // Every record is accounted for: listed items plus unchanged ones.
      expect(report.summary.accounts).toBe(153);
      expect(report.items.count + report.summary.unchanged).toBe(153);
      for (const item of Array.from(report.items).filter((i) => i.action === 'failed')) {
        expect(item.error?.code).toMatch(/^ERR_SCALEKIT_/);
      }
      if (report.summary.failed === 0) break;
      expect(runs).toBeLessThan(10);
    }
    expect(harness.emulator.counters().totals.faults).toBeGreaterThan(0);
    expect(harness.emulator.counters().totals.rateLimited).toBeGreaterThan(0);

    harness.emulator.configure({ faultRate: 0, rateLimit: null });
    const state = await harness.state();
    const linked = [...state.values()].filter((o) => o.external_id?.includes('-F-'));
    expect(linked).toHaveLength(150);
    expect(new Set(linked.map((o) => o.external_id)).size).toBe(150);
    for (const org of linked.slice(0, 60)) expect(org.metadata.keep_me).toBe('yes');

    const final = await harness.run(path, { mode: 'plan' });
    expect(final.report.summary).toMatchObject({ create: 0, update: 0, failed: 0, invalid: 3, unchanged: 150 });
  });
});
