import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // e2e suites each build their own lab with distinct name prefixes; two cores → two workers.
    maxWorkers: 2,
    reporters: ['default'],
    // npm run coverage: unit tests only (no lab, no root); coverage/coverage-summary.json per file and in total.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
    },
  },
});
