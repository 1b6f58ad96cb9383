import { defineConfig } from 'vitest/config';

// `npm run test:citus`: the Citus cluster cases (test/citus), against ../shared/citus's cluster.
export default defineConfig({
  test: {
    include: ['test/citus/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
