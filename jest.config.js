/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Transpile only, with esbuild: `npm test` type-checks once with tsc before Jest runs (see the transformer).
  transform: { "^.+\\.ts$": "<rootDir>/__tests__/support/esbuild-transform.js" },
  // The long suites (real Terraform, real processes) first, so both workers end together.
  testSequencer: "<rootDir>/__tests__/support/test-sequencer.js",
  globalSetup: "<rootDir>/__tests__/support/global-setup.ts",
  globalTeardown: "<rootDir>/__tests__/support/global-teardown.ts",
  maxWorkers: 2,
  workerIdleMemoryLimit: "1GB",
  testTimeout: 30000,
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
