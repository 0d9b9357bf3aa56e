/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Transpile only (isolatedModules): `npm test` type-checks once with tsc before Jest runs.
  transform: { "^.+\\.ts$": ["ts-jest", { isolatedModules: true, diagnostics: false }] },
  globalSetup: "<rootDir>/__tests__/support/global-setup.ts",
  globalTeardown: "<rootDir>/__tests__/support/global-teardown.ts",
  maxWorkers: 2,
  workerIdleMemoryLimit: "1GB",
  testTimeout: 30000,
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
