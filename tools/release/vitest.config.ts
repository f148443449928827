import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Packing and installing a ~25 MB package takes seconds on a busy 2-core machine.
    testTimeout: 120_000,
  },
});
