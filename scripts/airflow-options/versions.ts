/** Comparison of the version strings the templates use: "3.1.0", "8.11", "1.10.12", "1.24.1b1". */

/** The numeric release parts of a version ("1.24.1b1" -> [1, 24, 1]); missing trailing parts count as 0. */
function releaseParts(version: string): number[] {
  return version
    .trim()
    .split(".")
    .map((part) => Number.parseInt(part, 10))
    .map((n) => (Number.isNaN(n) ? 0 : n));
}

/** Negative when a < b, 0 when equal, positive when a > b, by release parts only (pre-release suffixes ignored). */
export function compareVersions(a: string, b: string): number {
  const pa = releaseParts(a);
  const pb = releaseParts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
