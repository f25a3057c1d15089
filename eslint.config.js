// One lint configuration for the repository: typescript-eslint's type-aware rules, plus the
// rule Temporal's samples enforce — workflow code runs in a deterministic sandbox, so it may
// not import Node built-ins or anything but types from the activities.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/thrift/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test() and describe() return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.mjs', 'eslint.config.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Workflow code runs in a sandbox: no Node built-ins.' },
            {
              group: ['../activities', '../activities/*'],
              allowTypeImports: true,
              message: 'Workflows import only types from activities.',
            },
            {
              group: ['../src/*', '!../src/errors.js'],
              allowTypeImports: true,
              message: 'Workflows import only types from the driver.',
            },
          ],
          paths: builtinModules.map((name) => ({
            name,
            message: 'Workflow code runs in a sandbox: no Node built-ins.',
          })),
        },
      ],
    },
  },
);
