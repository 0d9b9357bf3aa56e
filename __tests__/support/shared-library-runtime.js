// Jest runtime (the `runtime` option of jest.config.js): Jest's own, except that cdktf, constructs and the AWS provider
// classes are evaluated once per worker process instead of once per test file.
//
// Jest gives every test file a fresh module registry, so each of the suite's ~170 files loaded and evaluated those
// libraries again: about a third of the CPU of the files that only synthesize and assert. They are pure libraries
// for what the tests use of them (a construct tree is built per app; nothing a test asserts lives in their module
// state), so each worker keeps the first file's copy and hands it to the files after it. Project code (config/,
// modules/, stacks/...), the test support and every other package still load fresh per file.
//
// The shared copy runs in the vm context of the file that loaded it first. Two things follow, both handled here:
//   - `process` there is that file's sandboxed process object, with its own copy of the environment: before each
//     file, the shared context is pointed at the new file's `process`, so a library reading `process.env` (cdktf's
//     App reads CDKTF_OUTDIR) sees what the running file set.
//   - the first file's runtime is torn down when that file ends: a library module required lazily later is loaded
//     by the running file's runtime instead.
// Objects the libraries create come from the first file's realm: `instanceof Array` or `instanceof Error` across
// files is false for them (Jest's matchers and the project's code do not depend on it).
//
// cdktf records a creation stack for every token it makes: Error.captureStackTrace on a plain object at full depth,
// read at once and shown only in cdktf's own resolution errors. Under Jest, source-map-support formatted every one,
// mapping each frame through its source map: about a third of the CPU of a file that synthesizes. In the shared
// realm those captures are skipped, as the app's own synth skips them (withLeanStackTraces in main.ts): the stack
// stays empty, which cdktf takes for "no trace". A real error's stack is captured and source-mapped as Jest does it.
const Runtime = require("jest-runtime").default;

const SHARED_LIBRARIES = /[\\/]node_modules[\\/](?:cdktf|constructs|@cdktf[\\/]provider-aws)[\\/]/;

/** Per worker process: resolved path -> exports of each shared library module. */
const shared = new Map();
/** The global object of the vm context the shared modules were evaluated in (the first file's). */
let sharedGlobal;
/** The runtime of the file running now. */
let current;

/** Captures stacks for real errors only, in the shared realm (see above). */
function captureErrorStacksOnly(global) {
  const capture = global.Error.captureStackTrace;
  global.Error.captureStackTrace = (target, constructorOpt) => {
    if (target instanceof global.Error) capture.call(global.Error, target, constructorOpt);
  };
}

class SharedLibraryRuntime extends Runtime {
  constructor(config, environment, ...rest) {
    super(config, environment, ...rest);
    current = this;
    if (sharedGlobal && environment.global) sharedGlobal.process = environment.global.process;
  }

  requireModule(from, moduleName, options, isRequireActual) {
    if (options?.isInternalModule || !moduleName || this._resolver.isCoreModule(moduleName)) {
      return super.requireModule(from, moduleName, options, isRequireActual);
    }
    const resolved = this._resolveCjsModule(from, moduleName);
    if (!SHARED_LIBRARIES.test(resolved)) return super.requireModule(from, moduleName, options, isRequireActual);
    if (shared.has(resolved)) return shared.get(resolved);
    const loader = this.isTornDown ? current : this;
    if (!sharedGlobal) {
      sharedGlobal = loader._environment.global;
      captureErrorStacksOnly(sharedGlobal);
    }
    const exports = Runtime.prototype.requireModule.call(loader, from, moduleName, options, isRequireActual);
    shared.set(resolved, exports);
    return exports;
  }
}

module.exports = SharedLibraryRuntime;
