import { defineConfig } from 'vitest/config';

// Unit tests are pure and run in parallel. Integration tests use real servers on fixed
// loopback addresses, so they run one file at a time inside a loopback-only namespace
// (test/run-all.mjs sets that up). The test world's daemons and the extension build are made
// once per run, by the integration project's global setup.
export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          fileParallelism: false,
          globalSetup: ['test/harness/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
