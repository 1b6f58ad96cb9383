import { defineConfig } from 'vitest/config';

// `npm run test:oltp`: apply of 400 k rows under OLTP writers (test/oltp), PostgreSQL only; minutes, not in `npm test`.
export default defineConfig({
  test: {
    include: ['test/oltp/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
