import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Tests fail on stray console output (zod convention): see test/support/setup.ts.
    setupFiles: ['./test/support/setup.ts'],
    testTimeout: 20_000,
    pool: 'forks',
    // Both cores for the unit group: vitest's default on a 2-core machine is one worker (cores - 1), which left
    // the second core idle (unit group 251 s at 109 % CPU; 176 s with two workers, same tests passing).
    maxWorkers: 2,
    // Two groups run one after the other: everything else first (in parallel), then the real QEMU migrations
    // alone, so their measured times are not skewed by other tests competing for the machine's two cores.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
          exclude: ['test/qemu-real/**', '**/node_modules/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'qemu-real', include: ['test/qemu-real/**/*.test.ts'], sequence: { groupOrder: 1 } },
      },
    ],
  },
});
