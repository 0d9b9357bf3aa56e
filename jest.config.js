/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022", parser: { syntax: "typescript" } }, module: { type: "commonjs" } }] },
  globalSetup: "<rootDir>/__tests__/support/global-setup.ts",
  maxWorkers: 2,
  workerIdleMemoryLimit: "1GB",
  testTimeout: 30000,
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
