import * as fs from "fs";
import * as path from "path";

/** The repository root (the nearest directory above this file with a package.json), from source or from dist/. */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find package.json above ${from}`);
    dir = parent;
  }
  return dir;
}
