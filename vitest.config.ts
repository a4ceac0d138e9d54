import { defineConfig } from 'vitest/config';

/** Three tiers, each with its own timeout: unit, HTTP (inject), browser (Chromium). */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 15_000,
        },
      },
      {
        test: {
          name: 'storage',
          include: ['test/storage/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'http',
          include: ['test/http/**/*.test.ts', 'test/cli/**/*.test.ts'],
          globalSetup: ['test/helpers/template.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          globalSetup: ['test/helpers/template.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      // Several real instances behind nginx on PostgreSQL (`npm run test:cluster`) only.
      ...(process.env.HEARTH_TEST_CLUSTER
        ? [
            {
              test: {
                name: 'cluster',
                include: ['test/cluster/**/*.test.ts'],
                testTimeout: 120_000,
                hookTimeout: 180_000,
                fileParallelism: false,
              },
            },
          ]
        : []),
      ...(process.env.HEARTH_BENCH_CLUSTER
        ? [
            {
              test: {
                name: 'cluster-bench',
                include: ['bench/cluster.ts'],
                testTimeout: 900_000,
                hookTimeout: 180_000,
              },
            },
          ]
        : []),
    ],
  },
});
