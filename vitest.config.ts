import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // e2e suites each build their own lab with distinct name prefixes; two cores → two workers.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
