/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Transpile only, with esbuild: `npm test` type-checks once with tsc before Jest runs (see the transformer).
  transform: { "^.+\\.ts$": "<rootDir>/__tests__/support/esbuild-transform.js" },
  // The long suites (real Terraform, real processes) first, so both workers end together.
  testSequencer: "<rootDir>/__tests__/support/test-sequencer.js",
  // cdktf, constructs and the provider classes load once per worker instead of once per file (see the runtime).
  runtime: "<rootDir>/__tests__/support/shared-library-runtime.js",
  globalSetup: "<rootDir>/__tests__/support/global-setup.ts",
  globalTeardown: "<rootDir>/__tests__/support/global-teardown.ts",
  maxWorkers: 2,
  // A worker is replaced when it holds more after a file; each replacement loads cdktf and the provider classes again
  // (a second or two of CPU). 3 GB keeps two workers well inside the machines' memory and restarts them rarely.
  workerIdleMemoryLimit: "3GB",
  testTimeout: 30000,
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
