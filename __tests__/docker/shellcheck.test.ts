import * as path from "path";
import { ensureShellcheck, shellcheck } from "../support/shellcheck";
import { DOCKER_DIR, filesUnder, read, runSync } from "./helpers";

/** Every shell script of the image is shellcheck-clean (installing shellcheck first when needed: never skipped). */

/** Shell scripts: *.sh, or any file whose shebang names sh, bash, dash or ksh. */
const SCRIPTS = filesUnder(DOCKER_DIR, (file) => file.endsWith(".sh") || /^#!\s*\S*(\/|env\s+)(ba|da|k)?sh\b/.test(read(file).split("\n", 1)[0]));

let binary: string;

beforeAll(() => {
  binary = ensureShellcheck();
}, 300_000);

describe("shell scripts of the image", () => {
  it("are the entrypoint, its library, the migrate step and the db-clean step", () => {
    expect(SCRIPTS.map((file) => path.relative(DOCKER_DIR, file))).toEqual([
      "scripts/connections.sh",
      "scripts/db-clean.sh",
      "scripts/entrypoint.sh",
      "scripts/migrate.sh",
    ]);
  });

  it("pass shellcheck (all severities, sourced files followed)", () => {
    // GIVEN every shell script WHEN shellcheck reads them THEN it reports nothing
    expect(
      shellcheck(
        binary,
        SCRIPTS.map((file) => path.relative(DOCKER_DIR, file)),
        DOCKER_DIR,
      ),
    ).toBe("");
  });

  it("are valid bash (bash -n) and the executables have a bash shebang", () => {
    for (const file of SCRIPTS) {
      expect({ file, syntax: runSync("bash", ["-n", file], { PATH: process.env.PATH }).stderr }).toEqual({ file, syntax: "" });
    }
    for (const file of SCRIPTS.filter((script) => !script.endsWith("connections.sh"))) {
      expect(read(file).split("\n", 1)[0]).toBe("#!/usr/bin/env bash");
    }
  });
});
