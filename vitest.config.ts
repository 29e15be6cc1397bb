import { defineConfig } from 'vitest/config';

/**
 * One test run for the whole repository. Each package is a vitest project so `npm test` runs all
 * of them; the server's database tests get a migrated template from its global setup.
 */
export default defineConfig({
  test: {
    // Two cores on the CI machine; every project shares this pool.
    maxWorkers: 2,
    projects: ['packages/instruments', 'packages/analysis', 'packages/fhir', 'packages/server', 'packages/web'],
  },
});
