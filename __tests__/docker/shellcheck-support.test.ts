import * as fs from "fs";
import * as path from "path";
import { ensureShellcheck } from "../support/shellcheck";
import { removeTempDirs, tempDir } from "./helpers";

/**
 * __tests__/support/shellcheck.ts when shellcheck is missing, with a fake apt-get on a PATH that holds nothing else
 * (the real shellcheck may already be installed on this machine, so the install path is exercised here).
 */

const FAKE_APT_GET = `#!/bin/sh
echo "$DEBIAN_FRONTEND $*" >>"$FAKE_APT_LOG"
case " $* " in
  *" --version "*) echo "apt 2.6.1 (amd64)"; exit 0 ;;
  *" update "*)
    if [ "$FAKE_APT_UPDATE" = fail ]; then echo "E: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease" >&2; exit 100; fi
    : >"$FAKE_APT_DIR/updated"; exit 0 ;;
  *" install "*)
    if [ -e "$FAKE_APT_DIR/updated" ]; then
      printf '#!/bin/sh\\necho "ShellCheck - shell script analysis tool"\\necho "version: 0.9.0"\\n' >"$FAKE_APT_DIR/bin/shellcheck"
      /bin/chmod 755 "$FAKE_APT_DIR/bin/shellcheck"; exit 0
    fi
    echo "E: Unable to locate package shellcheck" >&2; exit 100 ;;
esac
exit 1
`;

afterAll(removeTempDirs);

function machine(options: { apt: boolean; update?: "fail" }) {
  const dir = tempDir("apt");
  fs.mkdirSync(path.join(dir, "bin"));
  if (options.apt) fs.writeFileSync(path.join(dir, "bin", "apt-get"), FAKE_APT_GET, { mode: 0o755 });
  const log = path.join(dir, "apt.log");
  const env: NodeJS.ProcessEnv = {
    PATH: path.join(dir, "bin"),
    FAKE_APT_DIR: dir,
    FAKE_APT_LOG: log,
    ...(options.update ? { FAKE_APT_UPDATE: options.update } : {}),
  };
  const calls = () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").replace(/\n$/, "").split("\n") : []);
  return { env, calls };
}

describe("ensureShellcheck", () => {
  it("installs the Debian package non-interactively, updating the package index when the package is unknown", () => {
    // GIVEN root, no shellcheck, and a package index that does not know it yet
    const { env, calls } = machine({ apt: true });
    // WHEN shellcheck is required
    const binary = ensureShellcheck({ env, uid: 0 });
    // THEN install fails, update runs, install succeeds, and the installed binary is returned
    expect(binary).toBe("shellcheck");
    expect(calls()).toEqual([
      " --version",
      "noninteractive -o DPkg::Lock::Timeout=120 install -y --no-install-recommends shellcheck",
      "noninteractive -o DPkg::Lock::Timeout=120 update",
      "noninteractive -o DPkg::Lock::Timeout=120 install -y --no-install-recommends shellcheck",
    ]);
  });

  it("fails with the apt error and what to do when the package index cannot be updated", () => {
    const { env } = machine({ apt: true, update: "fail" });
    expect(() => ensureShellcheck({ env, uid: 0 })).toThrow(
      'shellcheck is not on PATH and "apt-get update" failed, so it cannot be installed:\nE: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease\n' +
        "Install it (Debian/Ubuntu: sudo apt-get install -y shellcheck; other systems: https://github.com/koalaman/shellcheck#installing) and run the tests again.",
    );
  });

  it("fails, never skips, without apt-get or without root", () => {
    const { env } = machine({ apt: false });
    expect(() => ensureShellcheck({ env, uid: 0 })).toThrow("shellcheck is not on PATH and apt-get is not available to install it.");
    expect(() => ensureShellcheck({ env, uid: 1000 })).toThrow("shellcheck is not on PATH and the tests run as a non-root user, so they cannot install it.");
  });

  it("uses an already installed shellcheck without touching apt", () => {
    // GIVEN shellcheck on PATH
    const { env, calls } = machine({ apt: true });
    fs.writeFileSync(path.join(env.FAKE_APT_DIR!, "bin", "shellcheck"), '#!/bin/sh\necho "version: 0.9.0"\n', { mode: 0o755 });
    // THEN it is returned as is
    expect(ensureShellcheck({ env, uid: 1000 })).toBe("shellcheck");
    expect(calls()).toEqual([]);
  });
});
