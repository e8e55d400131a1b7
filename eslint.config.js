import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import prettier from 'eslint-config-prettier';

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
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/emulator/**', '../emulator/*', './emulator/*'],
              message: 'Product code never imports the emulator.',
            },
          ],
        },
      ],
    },
  },
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
