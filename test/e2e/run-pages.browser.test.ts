import type { Browser, BrowserContext } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HttpService } from '../../src/app/http-service.js';
import { BROWSER_ADMIN, startBrowserStack, type BrowserStack } from '../helpers/browser-stack.js';
import { HOSTILE_NAME, sampleReport } from '../unit/http/run-fixtures.js';

let stack: BrowserStack | undefined;
let service: HttpService;
let browser: Browser;
let context: BrowserContext;

beforeEach(async () => {
  stack = await startBrowserStack({ historyLimit: 10 });
  ({ service, browser } = stack);
  const report = sampleReport('run-e2e-1');
  await stack.history.record({
    runId: 'run-e2e-1',
    kind: 'nightly-sync',
    trigger: 'schedule',
    startedAt: new Date(report.started_at),
    finishedAt: new Date(report.finished_at),
    report,
    exitCode: 1,
  });
  context = await browser.newContext({ httpCredentials: BROWSER_ADMIN, viewport: { width: 1366, height: 900 } });
});

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('run pages in headless Chromium', () => {
  it('lead from the history to a run, show hostile account data as text, and filter by action without JS', async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${message.text()} (${message.location().url})`);
    });
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });

    await page.goto(`${service.url}/runs`);
    if (process.env.ORGSYNC_SCREENSHOT_DIR)
      await page.screenshot({ path: `${process.env.ORGSYNC_SCREENSHOT_DIR}/runs.png` });
    await page.getByRole('link', { name: 'run-e2e-1' }).click();
    await page.waitForURL(`${service.url}/runs/run-e2e-1`);

    // The <script> and <img onerror> in a display name are text on the page, not elements.
    expect(await page.getByText(HOSTILE_NAME).isVisible()).toBe(true);
    expect(await page.title()).toBe('Run run-e2e-1 · orgsync');
    expect(await page.locator('main script, main img').count()).toBe(0);
    expect(await page.locator('#items tbody tr').count()).toBe(4);
    expect(await page.locator('.from', { hasText: 'Acme' }).first().textContent()).toBe('Acme');
    // The style sheet is allowed by its CSP hash: the header really is styled.
    // (A string: the test's TypeScript has no DOM types.)
    expect(await page.evaluate("getComputedStyle(document.querySelector('header')).display")).toBe('flex');

    if (process.env.ORGSYNC_SCREENSHOT_DIR)
      await page.screenshot({ path: `${process.env.ORGSYNC_SCREENSHOT_DIR}/run-page.png`, fullPage: true });

    await page.locator('select#action').selectOption('update');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/\?action=update$/);
    expect(await page.locator('#items tbody tr').count()).toBe(1);
    expect(await page.locator('#items tbody').textContent()).toContain('us-east-CUST-2');
    expect(await page.locator('select#action').inputValue()).toBe('update');

    await page.locator('select#action').selectOption('invalid');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/\?action=invalid$/);
    const row = await page.locator('#items tbody tr').textContent();
    expect(row).toContain('ERR_REGION_UNKNOWN');
    expect(row).toContain('region "<b>mars</b>" is not a configured region');

    expect(problems).toEqual([]);
  });

  it('offer report.json and results.csv as downloads', async () => {
    const page = await context.newPage();
    await page.goto(`${service.url}/runs/run-e2e-1`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'results.csv' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('results.csv');
    const report = await page.request.get(`${service.url}/runs/run-e2e-1/report.json`);
    expect(await report.json()).toMatchObject({ run_id: 'run-e2e-1', summary: { create: 1, update: 1 } });
  });

  it('ask for the admin login when the browser has none', async () => {
    const anonymous = await browser.newContext();
    try {
      // page.goto would fail with ERR_INVALID_AUTH_CREDENTIALS (nobody to type a password): look at the answer itself.
      const response = await anonymous.request.get(`${service.url}/runs`);
      expect(response.status()).toBe(401);
      expect(response.headers()['www-authenticate']).toMatch(/^Basic/);
    } finally {
      await anonymous.close();
    }
  });
});
