import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // a fresh run context (secrets, vault passwords, caches) before each test: no test depends on another's
    setupFiles: ['test/setup.ts'],
    // one temporary directory for the run, removed at its end (test/global-setup.ts)
    globalSetup: ['test/global-setup.ts'],
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
