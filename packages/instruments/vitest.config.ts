import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'instruments',
    include: ['src/**/*.test.ts'],
  },
});
