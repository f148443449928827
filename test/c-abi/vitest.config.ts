import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One native library per process: files run in separate forked workers, each loading it.
    pool: 'forks',
    testTimeout: 30_000,
  },
});
