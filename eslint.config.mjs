// `npm run lint`, also run by `npm test` before the suites. The import boundaries are the point
// (lint/importBoundaries.mjs); the rest is typescript-eslint's recommended set, without type information
// so the run stays fast.
import svelteParser from 'svelte-eslint-parser';
import tseslint from 'typescript-eslint';
import { importBoundaries } from './lint/importBoundaries.mjs';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'native/**/build/**', 'test-results/**', 'playwright-report/**'] },
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.svelte'],
    extends: [tseslint.configs.recommended],
    plugins: { strata: { rules: { 'import-boundaries': importBoundaries } } },
    rules: {
      'strata/import-boundaries': 'error',
      // A leading underscore marks a parameter or a dropped property as unused on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.svelte'],
    languageOptions: { parser: svelteParser, parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
    // Svelte 5 props are `let { ... } = $props()` by convention, even when never reassigned.
    rules: { 'prefer-const': 'off' },
  },
);
