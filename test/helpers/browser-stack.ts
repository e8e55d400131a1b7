import { chromium, type Browser } from 'playwright-core';
import type { HttpService } from '../../src/app/http-service.js';
import { createRunHistory, type RunHistory } from '../../src/store/run-history.js';
import { chromiumPath, HEADLESS_CHROMIUM_ARGS } from './chromium.js';
import { startServiceStack } from './service-stack.js';

/** The admin login of the service that the browser tests drive. */
export const BROWSER_ADMIN = { username: 'ops', password: 'browser-test-password' };

/** `orgsync serve` behind BROWSER_ADMIN (see `startServiceStack`), its run history, and headless Chromium. */
export interface BrowserStack {
  service: HttpService;
  /** The service's run history, to record the runs its pages show. */
  history: RunHistory;
  browser: Browser;
  /** Closes the browser (its contexts too), then the service stack. */
  close(): Promise<void>;
}

export async function startBrowserStack(options: { historyLimit: number }): Promise<BrowserStack> {
  // First, so that a machine without a browser gets one clear line and nothing to clean up.
  const executablePath = chromiumPath();
  const stack = await startServiceStack({
    env: { ORGSYNC_ADMIN_USER: BROWSER_ADMIN.username, ORGSYNC_ADMIN_PASSWORD: BROWSER_ADMIN.password },
  });
  let browser: Browser;
  try {
    browser = await chromium.launch({ args: HEADLESS_CHROMIUM_ARGS, executablePath });
  } catch (error) {
    await stack.close();
    throw error;
  }
  return {
    service: stack.service,
    history: createRunHistory(stack.redis, { keyPrefix: stack.keyPrefix, limit: options.historyLimit }),
    browser,
    async close() {
      await browser.close();
      await stack.close();
    },
  };
}
