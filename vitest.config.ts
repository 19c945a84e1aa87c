import { defineConfig } from 'vitest/config';

/**
 * Timeouts for a loaded two-core machine: several suites synthesize the stack, start DynamoDB
 * or a Kubernetes API stand-in, or run the containment workflow, and share the cores with the
 * rest of the run. A test that needs more says so itself.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/user-state-guard.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    // Each test file in its own process: a file's fakes, environment and working folder cannot leak into another's.
    pool: 'forks',
    // Both cores of the CI machine (vitest's default leaves one idle); the timeouts above allow for the sharing.
    maxWorkers: 2,
    // Environment variables a test stubs are put back after it, even when it fails before its own cleanup.
    unstubEnvs: true,
  },
});
