import { defineConfig } from 'vitest/config';

/** Crash, load and other long reliability tests (`npm run test:reliability`, run by CI on PostgreSQL). */
export default defineConfig({
  test: {
    name: 'reliability',
    include: ['packages/*/src/**/*.reliability.test.ts', 'packages/*/test/**/*.reliability.test.ts'],
    globalSetup: ['packages/server/test/global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
    passWithNoTests: false,
  },
});
