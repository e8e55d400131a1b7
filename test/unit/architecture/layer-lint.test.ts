import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from './import-graph.js';

/** The project's own ESLint configuration (eslint.config.js), run on a snippet as if it were `filePath`. */
const eslint = new ESLint({ cwd: ROOT });

async function restrictedImports(filePath: string, specifier: string): Promise<string[]> {
  const code = `import { thing } from '${specifier}';\nexport const used = thing;\n`;
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the layer rules in ESLint (npm run lint fails on a new one-way violation)', () => {
  it.each([
    ['src/queue/worker.ts', '../../jobs/catalog.js'],
    ['src/queue/worker.ts', '../app.js'],
    ['src/queue/producer.ts', '../app/producer.js'],
    ['src/engine/run.ts', '../queue/producer.js'],
    ['src/engine/run.ts', '../http/server.js'],
    ['src/engine/run.ts', '../store/run-history.js'],
    ['src/engine/run.ts', '../emulator/server.js'],
    ['jobs/reconcile.ts', '../src/queue/producer.js'],
    ['jobs/reconcile.ts', '../src/http/server.js'],
    ['src/store/run-history.ts', '../queue/worker.js'],
    ['src/store/run-history.ts', '../http/metrics.js'],
    ['src/store/run-history.ts', '../../jobs/catalog.js'],
    ['src/http/server.ts', '../queue/producer.js'],
    ['src/http/routes/runs-list.ts', '../../app.js'],
    ['src/job-contract.ts', './app.js'],
    ['src/queue/job-processor.ts', '../notify/notifier.js'],
    ['jobs/nightly-sync.ts', '../src/notify/notifier.js'],
    ['src/notify/notifier.ts', '../store/notification-counter.js'],
    ['src/notify/notifier.ts', '../queue/job-processor.js'],
  ])('refuses %s importing %s', async (filePath, specifier) => {
    expect(await restrictedImports(filePath, specifier)).toHaveLength(1);
  });

  it.each([
    ['src/queue/job-processor.ts', '../job-contract.js'],
    ['src/queue/job-processor.ts', '../store/run-history.js'],
    ['jobs/reconcile.ts', '../src/store/latest-accounts.js'],
    ['jobs/reconcile.ts', '../src/engine/run.js'],
    ['src/http/run-lookup.ts', '../store/run-history.js'],
    ['src/sources/http-source.ts', './http/fetch-json.js'],
    ['src/app/worker.ts', '../queue/worker.js'],
    ['src/commands/serve.ts', '../app/http-service.js'],
    ['src/app/run-notifications.ts', '../notify/notifier.js'],
    ['src/notify/notifier.ts', '../engine/run-verdict.js'],
  ])('lets %s import %s', async (filePath, specifier) => {
    expect(await restrictedImports(filePath, specifier)).toEqual([]);
  });
});
