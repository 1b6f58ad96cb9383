// Lint: typescript-eslint's recommended rules plus the layering rules of the architecture
// (src/match and src/plan are pure; only src/db talks to drivers).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const drivers = ['pg', '@electric-sql/pglite', 'postgres'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/db/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: drivers.map((name) => ({ name, message: 'only src/db talks to database drivers' })) }],
    },
  },
  {
    files: ['src/match/**/*.ts', 'src/plan/**/*.ts'],
    rules: {
      // (replaces the rule above for these folders, so it repeats the driver list)
      'no-restricted-imports': ['error', { paths: drivers, patterns: [{ group: ['**/db/**', '**/store/**', '**/pipeline/**', ...drivers], message: 'src/match and src/plan are pure: no database code' }] }],
    },
  },
);
