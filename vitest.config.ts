import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the Citus cluster cases run with `npm run test:citus` (vitest.citus.config.ts), the OLTP run with `npm run test:oltp`
    exclude: ['test/citus/**', 'test/oltp/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: one fork per core keeps PGlite (WASM) and the server both busy without thrashing.
    pool: 'forks',
    maxWorkers: 2,
  },
});
