import { defineConfig } from 'vitest/config';

/**
 * Suites that synthesize the stack, start DynamoDB (dynalite), spawn the command or a browser,
 * run the containment workflow, or push whole scenarios and corpora through the pipeline. The
 * rest are unit tests: one stage, in memory. `vitest run --project unit` runs those alone.
 */
const INTEGRATION = [
  'test/infra/**/*.test.ts',
  'test/store/**/*.test.ts',
  'test/handlers/**/*.test.ts',
  'test/containment/**/*.test.ts',
  'test/cli/**/*.test.ts',
  'test/corpus/**/*.test.ts',
  'test/fuzz/**/*.test.ts',
  'test/quality/**/*.test.ts',
  'test/bench/**/*.test.ts',
  'test/demo.test.ts',
  'test/report/report-browser.test.ts',
];

/** How every test file runs, in either project. */
const isolation = {
  // Each test file in its own process: a file's fakes, environment and working folder cannot leak into another's.
  pool: 'forks',
  // Environment variables a test stubs are put back after it, even when it fails before its own cleanup.
  unstubEnvs: true,
} as const;

/**
 * Timeouts for a loaded two-core machine, where both projects share the cores: a unit test
 * that needs more than 20 s has a problem; an integration suite gets 120 s for a stack
 * synthesis or a database start while the other process is busy. A test that needs more says so itself.
 */
export default defineConfig({
  test: {
    // Runs once for the whole run (the projects do not inherit it).
    globalSetup: ['test/user-state-guard.ts'],
    teardownTimeout: 30_000,
    // Both cores of the CI machine (vitest's default leaves one idle), shared by the two projects.
    maxWorkers: 2,
    projects: [
      { test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: INTEGRATION, testTimeout: 20_000, hookTimeout: 20_000, ...isolation } },
      { test: { name: 'integration', include: INTEGRATION, testTimeout: 120_000, hookTimeout: 120_000, ...isolation } },
    ],
  },
});
