import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    // The memory and event-loop tests measure the process: one file at a time.
    fileParallelism: false,
  },
});
