import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Native code and heavy numeric tests: keep to the 2 cores of the CI machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
