// ESLint for `npm run lint` (run from the repository root: with --config, file patterns are
// relative to the working directory). Syntax rules everywhere; type-aware rules only where a
// type is needed to see the bug (a promise nobody awaits, a switch that misses a case).
// The import rules hold the three parts apart: the shared contract uses neither Node nor the
// DOM, the extension sees only the shared contract of the native host, the host never the
// extension.

import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_MODULES = `^(node:|(${builtinModules.filter((name) => !name.startsWith('_')).join('|')})(/|$))`;
const noNode = {
  regex: NODE_MODULES,
  message: 'Node modules exist only in the native host: use what the web platform has.',
};
const noHostInternals = {
  regex: String.raw`(^|/)native-host/(?!shared/)`,
  message: 'The extension imports only the shared contract (native-host/shared/) from the native host.',
};
const noExtension = {
  regex: String.raw`(^|/)extension/`,
  message: 'The native host and the shared contract never import the extension.',
};
const noHostSource = {
  regex: String.raw`^\.\./(\.\./)*src/`,
  message:
    'The shared contract imports nothing from the native host: move what both sides need into native-host/shared/.',
};

export default tseslint.config(
  { ignores: ['**/dist/', '**/node_modules/', '.cache/', 'test-results/', 'test/fixtures/'] },
  js.configs.recommended,
  // Refusing control characters in addresses, SMTP lines and terminal text is this code's job.
  { rules: { 'no-control-regex': 'off' } },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: process.cwd() } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Tests read JSON answers field by field.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['native-host/shared/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [noNode, noExtension, noHostSource] }] },
  },
  {
    files: ['extension/src/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [noNode, noHostInternals] }] },
  },
  {
    files: ['native-host/src/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [noExtension] }] },
  },
);
