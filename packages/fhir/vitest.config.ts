import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'fhir',
    include: ['src/**/*.test.ts'],
    passWithNoTests: true,
  },
});
