// Lint: typescript-eslint's recommended rules plus the layering rules of the architecture
// (src/match and src/plan are pure; only src/db talks to drivers; progress bars only in src/render and src/cli).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const drivers = ['pg', '@electric-sql/pglite', 'postgres'];
// Everything under src/ that reads or writes a database: the port and its adapters, the tool's own tables,
// statement builders, and the stages (one folder each) with what they share (context/, batch/).
const databaseFolders = [
  'db',
  'store',
  'sql',
  'context',
  'batch',
  'discover',
  'status',
  'planning',
  'review',
  'masters',
  'apply',
  'undo',
  'verify',
  'constrain',
  'report',
  'guard',
  'demo',
];
// SQL text: a statement's keywords as this code base writes them (upper case); a template literal is split at
// each \${...}, so `UPDATE \${t} SET` shows as an element ending in UPDATE.
const sqlText = String.raw`/(\bSELECT\b(.|\n)*\b(FROM|AS)\b|\bSELECT\s+[a-z_]+\(|\bINSERT\s+INTO\b|\bUPDATE\s+\S+\s+SET\b|\bDELETE\s+FROM\b|\bWITH\s+\w+\s+AS\s+\()/`;
const sqlTemplate = sqlText.replace('|\\bDELETE', '|\\bUPDATE\\s*$|\\bDELETE');
const sqlHome =
  "SQL lives in src/sql (statements on user tables and the catalog, by stage) or src/store (fk-backfill's own tables); see docs/design.md";
const terminal = { name: 'cli-progress', message: 'progress bars are rendering: src/render (or src/cli), never the library core' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/db/**', 'src/render/**', 'src/cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [...drivers.map((name) => ({ name, message: 'only src/db talks to database drivers' })), terminal] },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/sql/**', 'src/store/**', 'src/db/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: `Literal[value=${sqlText}]`, message: sqlHome },
        { selector: `TemplateElement[value.raw=${sqlTemplate}]`, message: sqlHome },
      ],
    },
  },
  {
    files: ['src/render/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: drivers.map((name) => ({ name, message: 'only src/db talks to database drivers' })) }],
    },
  },
  {
    files: ['src/match/**/*.ts', 'src/plan/**/*.ts'],
    rules: {
      // (replaces the rule above for these folders, so it repeats the driver list)
      'no-restricted-imports': [
        'error',
        {
          paths: [...drivers, terminal],
          patterns: [
            {
              group: [...databaseFolders.map((f) => `**/${f}/**`), ...drivers],
              message: 'src/match and src/plan are pure: no database code',
            },
          ],
        },
      ],
    },
  },
);
