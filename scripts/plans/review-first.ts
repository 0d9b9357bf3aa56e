/**
 * The "Review first" list: data loss, the state backend and ingress from the internet one line per resource (with
 * what forces a replacement), IAM one line per stack.
 */
import { code, plain } from "../lib/markdown";
import { KIND_ORDER, type StackAnalysis } from "./analysis";
import type { Danger, DangerCategory } from "./dangers";
import { VERB } from "./words";

const ICON: Readonly<Record<DangerCategory, string>> = { stateful: "🔥", "state-backend": "🗄️", "open-ingress": "🌐", iam: "🔑" };
const CATEGORY_ORDER: readonly DangerCategory[] = ["stateful", "state-backend", "open-ingress", "iam"];
const MAX_DANGER_LINES = 40;
const MAX_IAM_ADDRESSES = 8;

export function reviewFirstSection(dangers: readonly Danger[], analysis: readonly StackAnalysis[]): string {
  if (dangers.length === 0) return "";
  const lines = [...resourceLines(dangers, replaceReasons(analysis)), ...iamLines(dangers)];
  const kept = lines.slice(0, MAX_DANGER_LINES);
  if (lines.length > kept.length) kept.push(`- …and ${lines.length - kept.length} more (see details)\n`);
  return `\n#### ⚠️ Review first\n\n${kept.join("")}`;
}

/** `<stack> <address>` → the attribute paths that force its replacement. */
function replaceReasons(analysis: readonly StackAnalysis[]): Map<string, string[]> {
  const reasons = new Map<string, string[]>();
  for (const s of analysis) {
    for (const rc of s.changes) {
      const paths = rc.change.replace_paths ?? [];
      if (paths.length > 0)
        reasons.set(
          `${s.id} ${rc.address}`,
          paths.map((p) => p.join(".")),
        );
    }
  }
  return reasons;
}

/** Data loss, the state backend and open ingress: one line per resource (reasons of one resource joined). */
function resourceLines(dangers: readonly Danger[], forcedBy: ReadonlyMap<string, string[]>): string[] {
  const perResource = new Map<string, Danger[]>();
  for (const category of CATEGORY_ORDER.filter((c) => c !== "iam")) {
    for (const d of dangers.filter((x) => x.category === category)) {
      const key = `${d.stack} ${d.address}`;
      perResource.set(key, [...(perResource.get(key) ?? []), d]);
    }
  }
  return [...perResource].map(([key, group]) => {
    const d = group[0];
    const reasons = group.map((g) => `${ICON[g.category]} ${plain(g.reason)}${g.category === "stateful" ? " (data loss)" : ""}`).join("; ");
    const forced = forcedBy.get(key);
    const forcedText = d.kind === "replace" && forced ? `, forced by ${forced.map((p) => code(p)).join(", ")}` : "";
    return `- **${d.kind}** ${code(d.address)} in ${code(d.stack)}: ${reasons}${forcedText}\n`;
  });
}

/** IAM: one line per stack. */
function iamLines(dangers: readonly Danger[]): string[] {
  const iamStacks = [...new Set(dangers.filter((d) => d.category === "iam").map((d) => d.stack))];
  return iamStacks.map((stack) => {
    const iam = dangers.filter((d) => d.category === "iam" && d.stack === stack);
    const byKind = KIND_ORDER.filter((k) => iam.some((d) => d.kind === k)).map((k) => `${iam.filter((d) => d.kind === k).length} ${VERB[k]}`);
    const shown = iam.slice(0, MAX_IAM_ADDRESSES).map((d) => `${d.kind} ${code(d.address)}`);
    const more = iam.length > MAX_IAM_ADDRESSES ? `, and ${iam.length - MAX_IAM_ADDRESSES} more (see details)` : "";
    return `- ${ICON.iam} **IAM** in ${code(stack)}: ${byKind.join(", ")}: ${shown.join(", ")}${more}\n`;
  });
}
