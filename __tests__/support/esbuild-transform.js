// Jest transformer: TypeScript to CommonJS with esbuild (a dev dependency already, for the Lambda bundles). Transpile
// only, like ts-jest's isolatedModules mode: `npm test` type-checks once with tsc before Jest runs. esbuild transpiles
// a file in well under a millisecond where TypeScript's transpileModule takes tens, which is what a cold Jest cache
// (a fresh CI clone) pays for every source and test file in every worker.
const { createHash } = require("crypto");
const { transformSync, version } = require("esbuild");

// Class fields keep [[Define]] semantics, as tsc emits them for the ES2022 target of tsconfig.json. `import()` becomes
// a require, as tsc emits it for CommonJS: Jest's module sandbox cannot run a real dynamic import.
const OPTIONS = {
  loader: "ts",
  format: "cjs",
  target: "es2022",
  supported: { "dynamic-import": false },
  sourcemap: "inline",
  tsconfigRaw: { compilerOptions: { useDefineForClassFields: true } },
};

module.exports = {
  process(source, filename) {
    const { code } = transformSync(source, { ...OPTIONS, sourcefile: filename });
    return { code };
  },
  getCacheKey(source, filename) {
    return createHash("sha256")
      .update(`${version}\0${JSON.stringify(OPTIONS)}\0${filename}\0${source}`)
      .digest("hex");
  },
};
