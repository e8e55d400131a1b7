import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { configProblemsOf } from '../helpers/config-problems.js';

const problemsOf = (env: Record<string, string>) => configProblemsOf(() => loadConfig({ env }));

describe('loadConfig: settings of sources and incremental runs', () => {
  it('defaults to a 5-minute overlap, 16 MiB pages and 10 000 pages per run', () => {
    const config = loadConfig({ env: {} });
    expect(config.sinceOverlapMs).toBe(300_000);
    expect(config.sourceMaxPageBytes).toBe(16 * 1024 * 1024);
    expect(config.sourceMaxPages).toBe(10_000);
  });

  it('reads ORGSYNC_SINCE_OVERLAP as a duration', () => {
    const overlap = (text: string): number => loadConfig({ env: { ORGSYNC_SINCE_OVERLAP: text } }).sinceOverlapMs;
    expect(overlap('0s')).toBe(0);
    expect(overlap('30s')).toBe(30_000);
    expect(overlap('5m')).toBe(300_000);
    expect(overlap(' 1h30m ')).toBe(5_400_000);
    expect(overlap('250ms')).toBe(250);
  });

  it('names the setting and shows examples when a value is wrong', () => {
    for (const text of ['5', 'five minutes', '-5m', '5 m', '1d']) {
      const [problem] = problemsOf({ ORGSYNC_SINCE_OVERLAP: text });
      expect(problem).toMatch(/^ORGSYNC_SINCE_OVERLAP: expected a duration such as 5m, 30s or 0s/);
    }
    expect(problemsOf({ ORGSYNC_SOURCE_MAX_PAGE_BYTES: '16MiB' })[0]).toMatch(
      /^ORGSYNC_SOURCE_MAX_PAGE_BYTES: expected a whole number of bytes/,
    );
    expect(problemsOf({ ORGSYNC_SOURCE_MAX_PAGES: '0' })[0]).toMatch(
      /^ORGSYNC_SOURCE_MAX_PAGES: expected a whole number/,
    );
  });
});
