import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const created: string[] = [];

// Each test file loads its own copy of this module, so each file removes its own directories when it ends.
afterAll(() => {
  if (process.env.AIRFLOW_KEEP_TEMP === "1") return;
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory under the OS temp dir, removed after the test file (kept with AIRFLOW_KEEP_TEMP=1 to debug). */
export function temporaryDirectory(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}
