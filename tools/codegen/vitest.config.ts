import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The C++ compile checks take a few seconds each on a busy 2-core machine.
    testTimeout: 120_000,
  },
});
