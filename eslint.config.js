import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import prettier from 'eslint-config-prettier';

const NO_EMULATOR = {
  group: ['**/emulator/**', '../emulator/*', './emulator/*'],
  message: 'Product code never imports the emulator.',
};

/**
 * The regex of an import that climbs out of its folder (`../`) into `layer`: `../queue/x.js`,
 * `../../src/app.js`. From a file at the top of src/, `./queue/x.js` too.
 */
const into = (layer, fromSrcTop = false) => `^(${fromSrcTop ? '\\./|' : ''}(\\.\\./)+(src/)?)${layer}(\\.js$|/)`;

/** How an import of each layer is recognised (its relative path) and why it is refused. */
const forbidden = (fromSrcTop) => ({
  app: {
    regex: into('app', fromSrcTop),
    message:
      'Only the CLI and the commands import the composition root (src/app.ts, src/app/); it hands everything down.',
  },
  queue: {
    regex: into('queue', fromSrcTop),
    message:
      'Nothing below the composition root imports the queue (src/queue/): it is BullMQ plumbing that app.ts wires up.',
  },
  jobs: {
    regex: into('jobs', fromSrcTop),
    message:
      'The queue and the stores never import a job: app.ts hands the queue its job list (src/job-contract.ts is the shared contract).',
  },
  http: { regex: into('http', fromSrcTop), message: 'Only the composition root imports the HTTP layer (src/http/).' },
  notify: {
    regex: into('notify', fromSrcTop),
    message:
      "Only the composition root uses the notifier (src/notify/): it sends a run's notification once the run is recorded.",
  },
  store: {
    regex: into('store', fromSrcTop),
    message: 'The engine and the adapters never read or write the Redis stores (src/store/): pass them what they need.',
  },
});

/**
 * What each folder may not import (besides the emulator, which no product code imports). `src` is
 * the files at the top of src/ (config, errors, logger, lifecycle, the job contract, the library
 * index) but app.ts and cli.ts; src/domain has a block of its own; src/commands, src/cli.ts and the
 * composition root may import any layer.
 */
const LAYERS = {
  src: ['app', 'queue', 'jobs', 'http', 'store', 'notify'],
  'src/queue': ['app', 'jobs', 'http', 'notify'],
  'src/store': ['app', 'queue', 'jobs', 'http', 'notify'],
  'src/engine': ['app', 'queue', 'jobs', 'http', 'store', 'notify'],
  'src/http': ['app', 'queue', 'notify'],
  'src/sources': ['app', 'queue', 'jobs', 'http', 'store', 'notify'],
  'src/scalekit': ['app', 'queue', 'jobs', 'http', 'store', 'notify'],
  'src/notify': ['app', 'queue', 'jobs', 'http', 'store'],
  jobs: ['app', 'queue', 'http', 'notify'],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'reports/**', 'coverage/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read process.env only in src/config.ts.',
        },
      ],
    },
  },
  {
    files: ['src/config.ts', 'test/**', 'bench/**', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['src/**', 'jobs/**'],
    ignores: ['src/emulator/**', 'src/commands/emulator.ts', 'src/commands/demo.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_EMULATOR] }] },
  },
  // The layers (docs/architecture.md): one block per folder, each listing what it may not import.
  // A later block replaces an earlier one's `no-restricted-imports` for the files it matches, so
  // each repeats the emulator rule. Kept apart from other folders' blocks (e.g. src/domain).
  ...Object.entries(LAYERS).map(([folder, layers]) => ({
    files: folder === 'src' ? ['src/*.ts'] : [`${folder}/**/*.ts`],
    ignores: folder === 'src' ? ['src/app.ts', 'src/cli.ts'] : [],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [NO_EMULATOR, ...layers.map((layer) => forbidden(folder === 'src')[layer])] },
      ],
    },
  })),
  // The domain (pure account rules) depends on nothing outside src/domain: node built-ins and zod
  // only. Keep this block after every other `no-restricted-imports` block that matches src/domain:
  // for one file the last matching block's rule wins.
  {
    files: ['src/domain/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./|node:|zod$)|(^|/)\\.\\.(/|$)',
              message: 'src/domain imports only from src/domain (./), node built-ins (node:) and zod.',
            },
          ],
        },
      ],
    },
  },
  // Formatting is Prettier's (npm run lint checks it first): no ESLint rule may disagree with it.
  prettier,
);
