import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Tests fail on stray console output (zod convention): see test/support/setup.ts.
    setupFiles: ['./test/support/setup.ts'],
    testTimeout: 20_000,
    pool: 'forks',
  },
});
