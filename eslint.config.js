/**
 * One rule, scoped by file: SQL lives only in src-main/journal/ (the terminal's journal),
 * src-main/sim/ (the simulator's own store), the hub's store (src-main/hub/store.ts,
 * migrations.ts) and the SQLite opener both stores share (src-main/sqlite.ts). Anywhere else a statement is prepared or SQL is
 * written, the check fails and names the rule. Run by `npm run lint:layers` on every `npm test`;
 * the import rules of the same layers are .dependency-cruiser.cjs. See docs/architecture.md.
 */
import tsParser from '@typescript-eslint/parser';

/** SQL text, as a statement starts: upper-case keywords, the way the project writes SQL. */
const SQL_TEXT = String.raw`/(^|[^A-Za-z_])(SELECT\s[\s\S]*\sFROM\s|INSERT\s+(OR\s+\w+\s+)?INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|CREATE\s+(TABLE|INDEX|UNIQUE\s+INDEX|TRIGGER|VIEW)\s|ALTER\s+TABLE\s|DROP\s+(TABLE|INDEX)\s|PRAGMA\s)/`;
const MESSAGE = 'sql-only-in-journal: SQL belongs in src-main/journal/ (or a store of its own: src-main/sim/, src-main/hub/store.ts); call a journal function instead.';

export default [
  {
    files: ['shared/**/*.ts', 'src-main/**/*.ts', 'src-renderer/**/*.{ts,tsx}'],
    // The hub's own PostgreSQL database (a separate program, like the simulator) keeps its SQL in
    // its store and migrations.
    // src-main/sqlite.ts is the one durable SQLite opener (pragmas, migration runner) both the
    // journal and the simulator's store open their files with.
    ignores: ['src-main/journal/**', 'src-main/sim/**', 'src-main/hub/store.ts', 'src-main/hub/migrations.ts', 'src-main/hub/token-source.ts', 'src-main/sqlite.ts'],
    languageOptions: { parser: tsParser, parserOptions: { ecmaFeatures: { jsx: true } } },
    // No `// eslint-disable` escape hatch: a statement outside the journal is moved, not excused.
    linterOptions: { reportUnusedDisableDirectives: 'off', noInlineConfig: true },
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name=/^(prepare|pragma|transaction)$/]", message: MESSAGE },
        { selector: `Literal[value=${SQL_TEXT}]`, message: MESSAGE },
        { selector: `TemplateElement[value.raw=${SQL_TEXT}]`, message: MESSAGE },
      ],
    },
  },
];
