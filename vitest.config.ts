import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: one fork per core keeps PGlite (WASM) and the server both busy without thrashing.
    pool: 'forks',
    maxWorkers: 2,
  },
});
