import { describe, expect, it } from 'vitest';
import { layerOf, readImportGraph, type ImportEdge } from './import-graph.js';

/**
 * The layer rules of docs/architecture.md, held against the import graph drawn from the code (the
 * ESLint rules in eslint.config.js say the same for static imports; this also sees `import()`).
 * src/domain's rule (it imports nothing outside src/domain) is kept by its own ESLint block.
 */
const ABOVE = ['app', 'cli', 'commands'];
const FORBIDDEN: Readonly<Record<string, readonly string[]>> = {
  queue: [...ABOVE, 'jobs', 'http', 'notify'],
  store: [...ABOVE, 'queue', 'jobs', 'http', 'notify'],
  engine: [...ABOVE, 'queue', 'jobs', 'http', 'store', 'notify', 'emulator'],
  http: [...ABOVE, 'queue', 'notify'],
  sources: [...ABOVE, 'queue', 'jobs', 'http', 'store', 'notify'],
  scalekit: [...ABOVE, 'queue', 'jobs', 'http', 'store', 'notify'],
  notify: [...ABOVE, 'queue', 'jobs', 'http', 'store'],
  jobs: [...ABOVE, 'queue', 'http', 'notify'],
  kernel: [...ABOVE, 'queue', 'jobs', 'http', 'store', 'notify'],
  app: ['cli', 'commands'],
  commands: ['cli'],
};

/** The only product modules that may start the emulator. */
const EMULATOR_USERS = ['src/commands/demo.ts', 'src/commands/emulator.ts'];

const describeEdge = (edge: ImportEdge) => `${edge.from} imports ${edge.specifier}`;

function violations(edges: readonly ImportEdge[]): string[] {
  return edges
    .filter((edge) => {
      const from = layerOf(edge.from);
      const to = layerOf(edge.to);
      if (to === 'emulator') return from !== 'emulator' && !EMULATOR_USERS.includes(edge.from);
      return from !== to && (FORBIDDEN[from] ?? []).includes(to);
    })
    .map(describeEdge);
}

describe('the import graph', () => {
  const edges = readImportGraph();

  it('is read whole: static, type-only and dynamic imports of src/ and jobs/', () => {
    const has = (from: string, to: string) => edges.some((e) => e.from === from && e.to === to);
    expect(has('src/app/worker.ts', 'src/queue/worker.ts')).toBe(true);
    expect(has('src/queue/job-processor.ts', 'src/job-contract.ts')).toBe(true);
    expect(has('src/commands/serve.ts', 'src/app/http-service.ts')).toBe(true); // `await import(...)`
    expect(has('jobs/nightly-sync.ts', 'src/job-contract.ts')).toBe(true); // `import type`
  });

  it('places modules in their layers', () => {
    expect(layerOf('src/app.ts')).toBe('app');
    expect(layerOf('src/app/worker.ts')).toBe('app');
    expect(layerOf('src/queue/worker.ts')).toBe('queue');
    expect(layerOf('src/job-contract.ts')).toBe('kernel');
    expect(layerOf('jobs/reconcile.ts')).toBe('jobs');
    expect(layerOf('src/http/webhooks/webhook-pipeline.ts')).toBe('http');
  });

  it('finds an import that breaks a rule', () => {
    const broken: ImportEdge[] = [
      { from: 'src/queue/worker.ts', to: 'jobs/catalog.ts', specifier: '../../jobs/catalog.js' },
      { from: 'jobs/reconcile.ts', to: 'src/queue/producer.ts', specifier: '../src/queue/producer.js' },
      { from: 'src/engine/run.ts', to: 'src/store/run-history.ts', specifier: '../store/run-history.js' },
      { from: 'src/http/server.ts', to: 'src/emulator/server.ts', specifier: '../emulator/server.js' },
      { from: 'src/queue/worker.ts', to: 'src/app.ts', specifier: '../app.js' },
      { from: 'src/queue/job-processor.ts', to: 'src/notify/notifier.ts', specifier: '../notify/notifier.js' },
      { from: 'src/notify/notifier.ts', to: 'src/store/notice-throttle.ts', specifier: '../store/notice-throttle.js' },
    ];
    expect(violations(broken)).toHaveLength(broken.length);
  });

  it('runs one way: no layer imports one it may not', () => {
    expect(violations(edges)).toEqual([]);
  });
});
