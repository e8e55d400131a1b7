import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HttpService } from '../../src/app/http-service.js';
import type { Report } from '../../src/engine/types.js';
import type { RunKind } from '../../src/store/run-history.js';
import { BROWSER_ADMIN, startBrowserStack, type BrowserStack } from '../helpers/browser-stack.js';
import { sampleReport } from '../unit/http/run-fixtures.js';

/** Where the screenshots go (git-ignored; see README, Development). */
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
/** Runs recorded per kind: more than a chart shows for the nightly sync. */
const RUNS: Partial<Record<RunKind, number>> = { 'nightly-sync': 34, reconcile: 3, 'bulk-import': 2, retry: 1 };

let stack: BrowserStack | undefined;
let service: HttpService;
let browser: Browser;

function reportOf(runId: string, i: number): Report {
  const base = sampleReport(runId);
  const summary = { ...base.summary, create: i % 7, update: (i * 3) % 5, delete: i % 4 === 0 ? 1 : 0, failed: i % 5 };
  // A long path without a break and a long error: the table must still fit the window.
  return { ...base, source: `csv:/srv/imports/${'very-long-directory-name-'.repeat(6)}accounts.csv`, summary };
}

beforeEach(async () => {
  stack = await startBrowserStack({ historyLimit: 100 });
  ({ service, browser } = stack);
  const { history } = stack;
  let at = Date.parse('2026-05-01T02:00:00Z');
  for (const [kind, count] of Object.entries(RUNS) as [RunKind, number][]) {
    for (let i = 0; i < count; i += 1) {
      const runId = `${kind}-${String(i).padStart(2, '0')}-0b7c4a52-6a3e-4d7b-9a51-3f0e2c1d9e8f`;
      at += 3_600_000;
      await history.record({
        runId,
        kind,
        trigger: kind === 'reconcile' ? 'webhook' : 'schedule',
        startedAt: new Date(at),
        finishedAt: new Date(at + 65_000),
        report: i === 1 ? null : reportOf(runId, i),
        exitCode: i % 5 === 0 ? 0 : 1,
        error:
          i === 1
            ? { code: 'ERR_SOURCE', message: `cannot read ${'a-very-long-unbroken-file-name-'.repeat(5)}.csv` }
            : null,
      });
    }
  }
});

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('the runs page in headless Chromium at 1280×900', () => {
  it('fits the window without horizontal scrolling and draws one chart per kind of its last 30 runs', async () => {
    const context = await browser.newContext({
      httpCredentials: BROWSER_ADMIN,
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(`${service.url}/runs`);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}runs-1280x900.png` });
    await page.screenshot({ path: `${ARTIFACTS}runs-1280-full.png`, fullPage: true });

    // Strings: the test's TypeScript has no DOM types.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1280);
    expect(await page.evaluate('document.body.scrollWidth')).toBeLessThanOrEqual(1280);
    for (const [kind, count] of Object.entries(RUNS)) {
      const chart = page.locator(`svg.run-chart[data-kind="${kind}"]`);
      expect(await chart.count()).toBe(1);
      expect(await chart.locator('g.bar').count()).toBe(Math.min(30, count));
      expect(await chart.getAttribute('role')).toBe('img');
      expect(await chart.getAttribute('aria-label')).toMatch(new RegExp(`^${kind}: items per run`));
      expect(await page.locator(`#kind-${kind} table.runs tbody tr`).count()).toBe(count);
    }
    // Each bar names its run and counts in its <title>; a run without a report is marked.
    const nightly = page.locator('svg.run-chart[data-kind="nightly-sync"]');
    expect(await nightly.locator('g.bar title').first().textContent()).toMatch(
      /^run nightly-sync-\d\d-.*: \d+ create, \d+ update, \d+ delete, \d+ failed \+ invalid/,
    );
    expect(await page.locator('svg.run-chart[data-kind="reconcile"] g.bar.error').count()).toBe(1);
    expect(await page.locator('#kind-nightly-sync ul.legend').textContent()).toBe('createupdatedeletefailed + invalid');
    // The newest nightly sync is listed first under its kind.
    expect(await page.locator('#kind-nightly-sync table.runs tbody tr').first().textContent()).toContain(
      'nightly-sync-33-',
    );
    expect(await page.locator('script').count()).toBe(0);

    await page.getByRole('link', { name: 'reconcile', exact: true }).first().click();
    await page.waitForURL(/\/runs\?kind=reconcile$/);
    expect(await page.locator('svg.run-chart').count()).toBe(1);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1280);
    expect(problems).toEqual([]);
  });
});
