import { defineConfig } from 'vitest/config';

const chaosRequested = process.argv.some((a, i, all) => a === '--project=chaos' || (a === '--project' && all[i + 1] === 'chaos'));

// Three projects: unit tests (pure, milliseconds), integration tests (real NATS, Postgres,
// Redis; each test file in its own namespace and database) and end-to-end tests (every
// service against the ESPN simulator). `pnpm test` runs all three.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'deploy/test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['packages/*/test/**/*.int.test.ts', 'services/*/test/**/*.int.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          globalSetup: ['packages/testkit/src/global-setup.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          exclude: ['test/chaos/**', '**/node_modules/**'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          globalSetup: ['packages/testkit/src/global-setup.ts'],
        },
      },
      // Faults, bad input and load (`pnpm test:chaos`): minutes long and CPU-hungry, so
      // only when asked for by name, and one file at a time (each measures the machine).
      ...(chaosRequested
        ? [
            {
              test: {
                name: 'chaos',
                include: ['test/chaos/**/*.test.ts'],
                testTimeout: 600_000,
                hookTimeout: 120_000,
                fileParallelism: false,
                globalSetup: ['packages/testkit/src/global-setup.ts'],
              },
            },
          ]
        : []),
    ],
  },
});
