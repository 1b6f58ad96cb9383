import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the Citus cluster cases run with `npm run test:citus` (vitest.citus.config.ts), the OLTP run with `npm run test:oltp`
    exclude: ['test/citus/**', 'test/oltp/**', 'node_modules/**'],
    // one migrated PostgreSQL database per run that freshDb('postgres') copies (test/helpers/pg-template.ts)
    globalSetup: ['test/helpers/pg-template.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: one fork per core keeps PGlite (WASM) and the server both busy without thrashing.
    pool: 'forks',
    maxWorkers: 2,
    // A worker runs its files one after another in one module graph: src and the drivers are imported once
    // per worker, not once per file, and the shared in-memory PGlite of test/helpers/db.ts (an initdb, seconds)
    // is made once per worker; every test still gets a fresh database from freshDb (schemas and roles dropped).
    // Halves the time of the database files. A file must leave no state of its own behind (env, cwd, listeners,
    // open handles): runCli restores what it changes; a test that SETs a parameter on the shared PGlite resets it.
    isolate: false,
  },
});
