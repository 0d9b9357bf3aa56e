/**
 * Compares two synth outputs (`cdktf.out` of the PR's base and head) block by block: per stack the resources, data
 * sources, outputs, provider and backend blocks the change adds, removes and modifies (attribute by attribute, with
 * JSON-string attributes such as IAM policies and `container_definitions` decoded), plus stacks added or removed.
 * Needs no cloud credentials, so pull requests from forks see the impact too. Always exits 0 on readable input.
 *
 *   npm run synth-diff -- base/cdktf.out cdktf.out > synth-diff.md
 */
import * as fs from "fs";
import * as path from "path";
import { CliError, parseCommandLine, runAsProcess, type Output } from "./lib/cli";
import { diffValues, formatPath, isPlainObject, type Difference } from "./lib/json-diff";
import { code, compact, count, fittedBlock, plain } from "./lib/markdown";
import { displayText, redact, SENSITIVE } from "./lib/terraform-plan";

export const USAGE = [
  "usage: npm run synth-diff -- [--title <text>] [--max-chars <n>] <base cdktf.out> <head cdktf.out>",
  "",
  "  Compares cdktf.out/stacks/<id>/cdk.tf.json of both outputs and prints Markdown. A base directory that does",
  "  not exist (e.g. the base branch failed to synthesize) is compared as empty, with a note.",
].join("\n");

/** One stack's synthesized configuration, by block address (`aws_vpc.main`, `data.x.y`, `output.z`, ...). */
export type Blocks = ReadonlyMap<string, unknown>;

/** Removes cdktf's `//` metadata (construct paths, versions) recursively: it is not configuration. */
function stripMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripMetadata);
  if (isPlainObject(value))
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== "//")
        .map(([k, v]) => [k, stripMetadata(v)]),
    );
  return value;
}

/** Splits a cdk.tf.json document into addressable blocks. */
export function blocksOf(document: unknown): Blocks {
  const doc = stripMetadata(document) as Record<string, unknown>;
  const blocks = new Map<string, unknown>();
  const nested = (prefix: string, section: unknown) => {
    if (!isPlainObject(section)) return;
    for (const [type, instances] of Object.entries(section)) {
      if (!isPlainObject(instances)) continue;
      for (const [name, body] of Object.entries(instances)) blocks.set(`${prefix}${type}.${name}`, body);
    }
  };
  nested("", doc.resource);
  nested("data.", doc.data);
  nested("ephemeral.", doc.ephemeral);
  for (const section of ["output", "variable", "module", "locals"]) {
    if (isPlainObject(doc[section])) for (const [name, body] of Object.entries(doc[section] as Record<string, unknown>)) blocks.set(`${section}.${name}`, body);
  }
  if (isPlainObject(doc.provider)) {
    for (const [name, configs] of Object.entries(doc.provider)) {
      const list = Array.isArray(configs) ? configs : [configs];
      for (const config of list) {
        const alias = isPlainObject(config) && typeof config.alias === "string" ? `.${config.alias}` : "";
        blocks.set(`provider.${name}${alias}`, config);
      }
    }
  }
  if (isPlainObject(doc.terraform)) {
    for (const [key, value] of Object.entries(doc.terraform)) {
      if (key === "backend" && isPlainObject(value)) {
        for (const [kind, config] of Object.entries(value)) blocks.set(`terraform.backend.${kind}`, config);
      } else {
        blocks.set(`terraform.${key}`, value);
      }
    }
  }
  for (const [key, value] of Object.entries(doc)) {
    if (!["resource", "data", "ephemeral", "output", "variable", "module", "locals", "provider", "terraform"].includes(key)) blocks.set(key, value);
  }
  return blocks;
}

/** Reads every stack of a synth output directory (`<dir>/stacks/<id>/cdk.tf.json`); undefined when `dir` is absent. */
export function readSynthOutput(dir: string): Map<string, Blocks> | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const stacksDir = path.join(dir, "stacks");
  if (!fs.existsSync(stacksDir)) throw new CliError(`${dir}: has no stacks/ directory; expected a cdktf.out directory written by "npm run synth"`);
  const stacks = new Map<string, Blocks>();
  for (const id of fs.readdirSync(stacksDir).sort()) {
    const file = path.join(stacksDir, id, "cdk.tf.json");
    if (!fs.existsSync(file)) continue;
    try {
      stacks.set(id, blocksOf(JSON.parse(fs.readFileSync(file, "utf8"))));
    } catch (error) {
      throw new CliError(`${file}: is not valid JSON (${(error as Error).message})`);
    }
  }
  return stacks;
}

export interface StackDiff {
  readonly id: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly modified: readonly { readonly address: string; readonly differences: readonly Difference[] }[];
}

export interface SynthDiff {
  readonly addedStacks: readonly { readonly id: string; readonly blocks: number }[];
  readonly removedStacks: readonly { readonly id: string; readonly blocks: number }[];
  /** Stacks present on both sides with differences. */
  readonly changed: readonly StackDiff[];
  readonly unchanged: readonly string[];
  readonly baseMissing: boolean;
}

function resourceCount(blocks: Blocks): number {
  return [...blocks.keys()].filter(isResourceAddress).length;
}

function isResourceAddress(address: string): boolean {
  return !/^(data|ephemeral|output|variable|module|locals|provider|terraform)\./.test(address) && address.includes(".");
}

/** Compares two synth outputs stack by stack and block by block (secret-looking values redacted). */
export function diffSynthOutputs(base: ReadonlyMap<string, Blocks> | undefined, head: ReadonlyMap<string, Blocks>): SynthDiff {
  const before = base ?? new Map<string, Blocks>();
  const ids = [...new Set([...before.keys(), ...head.keys()])].sort();
  const addedStacks = ids.filter((id) => !before.has(id)).map((id) => ({ id, blocks: resourceCount(head.get(id)!) }));
  const removedStacks = ids.filter((id) => !head.has(id)).map((id) => ({ id, blocks: resourceCount(before.get(id)!) }));
  const changed: StackDiff[] = [];
  const unchanged: string[] = [];
  for (const id of ids.filter((i) => before.has(i) && head.has(i))) {
    const a = before.get(id)!;
    const b = head.get(id)!;
    const addresses = [...new Set([...a.keys(), ...b.keys()])].sort();
    const added = addresses.filter((x) => !a.has(x));
    const removed = addresses.filter((x) => !b.has(x));
    const modified = addresses
      .filter((x) => a.has(x) && b.has(x))
      .map((address) => ({ address, differences: diffValues(redact(a.get(address)), redact(b.get(address))) }))
      .filter((m) => m.differences.length > 0);
    if (added.length + removed.length + modified.length === 0) unchanged.push(id);
    else changed.push({ id, added, removed, modified });
  }
  return { addedStacks, removedStacks, changed, unchanged, baseMissing: base === undefined };
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown

const MAX_DIFFERENCE_LINES = 25;

function value(v: unknown, max = 120): string {
  return code(displayText(compact(v, max)));
}

function differenceLine(d: Difference): string {
  const name = code(displayText(formatPath(d.path)));
  const shown = (v: unknown) => displayText(compact(v));
  if (d.kind === "changed" && shown(d.before) === SENSITIVE && shown(d.after) === SENSITIVE) return `  - ${name}: (sensitive value changed)\n`;
  // Whole blocks (an added IAM statement) get more room than single values.
  if (d.kind === "added") return `  - ${name}: (added) ${value(d.after, 300)}\n`;
  if (d.kind === "removed") return `  - ${name}: ${value(d.before, 300)} → (removed)\n`;
  if (Array.isArray(d.before) && Array.isArray(d.after)) {
    const plus = d.after.filter((x) => !(d.before as unknown[]).some((y) => JSON.stringify(y) === JSON.stringify(x)));
    const minus = d.before.filter((x) => !(d.after as unknown[]).some((y) => JSON.stringify(y) === JSON.stringify(x)));
    if (plus.length + minus.length > 0) {
      return `  - ${name}: ${[...plus.map((x) => `+ ${value(x)}`), ...minus.map((x) => `− ${value(x)}`)].join(", ")}\n`;
    }
    return `  - ${name}: reordered ${value(d.before)} → ${value(d.after)}\n`;
  }
  return `  - ${name}: ${value(d.before)} → ${value(d.after)}\n`;
}

function stackEntries(s: StackDiff): string[] {
  return [
    ...s.removed.map((a) => `- ➖ removed ${code(a)}\n`),
    ...s.added.map((a) => `- ➕ added ${code(a)}\n`),
    ...s.modified.map((m) => {
      const lines = m.differences.slice(0, MAX_DIFFERENCE_LINES).map(differenceLine);
      if (m.differences.length > lines.length) lines.push(`  - … ${count(m.differences.length - lines.length, "more difference")}\n`);
      return `- ✏️ modified ${code(m.address)}\n${lines.join("")}`;
    }),
  ];
}

function tally(s: StackDiff): string {
  return `+${s.added.length} −${s.removed.length} ~${s.modified.length}`;
}

export interface RenderOptions {
  readonly title?: string;
  /** @default 60000 */
  readonly maxChars?: number;
}

export function renderSynthDiff(diff: SynthDiff, options: RenderOptions = {}): string {
  const maxChars = options.maxChars ?? 60_000;
  const title = options.title ?? "Synth diff (base → head)";
  const totals = diff.changed.reduce(
    (t, s) => ({ added: t.added + s.added.length, removed: t.removed + s.removed.length, modified: t.modified + s.modified.length }),
    { added: 0, removed: 0, modified: 0 },
  );
  const parts: string[] = [];
  if (diff.changed.length === 0 && diff.addedStacks.length === 0 && diff.removedStacks.length === 0) {
    parts.push("no change to the synthesized configuration ✅");
  } else if (diff.changed.length > 0) {
    parts.push(`**${count(diff.changed.length, "stack")} changed**: ${totals.added} added, ${totals.removed} removed, ${totals.modified} modified blocks`);
  }
  if (diff.addedStacks.length > 0)
    parts.push(`➕ new ${diff.addedStacks.length === 1 ? "stack" : "stacks"} ${diff.addedStacks.map((s) => code(s.id)).join(", ")}`);
  if (diff.removedStacks.length > 0)
    parts.push(`➖ removed ${diff.removedStacks.length === 1 ? "stack" : "stacks"} ${diff.removedStacks.map((s) => code(s.id)).join(", ")}`);

  let text = `### ${plain(title)}\n\n${parts.join(" · ")}\n`;
  if (diff.baseMissing) text += "\n> The base has no synth output (it failed to synthesize or predates the app): everything is shown as new.\n";
  if (diff.removedStacks.length > 0) {
    text += `\n> ⚠️ A removed stack is only dropped from CI: its resources stay deployed until the stack is destroyed by hand (\`terraform destroy\` in dependency-reverse order, \`npm run stacks -- --env <env> --reverse\`).\n`;
  }

  const rows = [
    ...diff.changed.map((s) => `| ${plain(s.id)} | ${s.added.length} | ${s.removed.length} | ${s.modified.length} | |\n`),
    ...diff.addedStacks.map((s) => `| ${plain(s.id)} | ${s.blocks} | 0 | 0 | new stack (${count(s.blocks, "resource")}) |\n`),
    ...diff.removedStacks.map((s) => `| ${plain(s.id)} | 0 | ${s.blocks} | 0 | removed stack |\n`),
  ];
  if (rows.length > 0) text += `\n| Stack | Added | Removed | Modified | |\n|---|---:|---:|---:|---|\n${rows.join("")}\n`;

  const note = "\n_Synth diff truncated to stay under GitHub's comment size limit; run `npm run synth-diff` locally for all of it._\n";
  const budget = maxChars - note.length;
  if (text.length > budget) return `${text.slice(0, Math.max(0, budget - 2))}…\n${note}`;
  let truncated = false;
  for (const s of diff.changed) {
    const entries = stackEntries(s);
    const open = `<details><summary><b>${plain(s.id)}</b>: ${tally(s)}</summary>\n\n`;
    const close = "\n</details>\n\n";
    const full = open + entries.join("") + close;
    if (!truncated && text.length + full.length <= budget) {
      text += full;
      continue;
    }
    truncated = true;
    const rest = (n: number) => `- … ${count(n, "more change")} not shown\n`;
    text += fittedBlock({ used: text.length, budget, open, entries, rest, close }) ?? "";
  }
  return truncated ? text + note : text;
}

export function main(argv: readonly string[], out: Output): number {
  const { values, positionals } = parseCommandLine(argv, { title: { type: "string" }, "max-chars": { type: "string" } }, USAGE);
  if (positionals.length !== 2) throw new CliError(`expected two directories (base and head), got ${positionals.length}\n\n${USAGE}`, 2);
  const [baseDir, headDir] = positionals;
  const maxChars = values["max-chars"] === undefined ? undefined : Number(values["max-chars"]);
  if (maxChars !== undefined && (!Number.isInteger(maxChars) || maxChars < 1000))
    throw new CliError(`--max-chars ${values["max-chars"]}: expected an integer >= 1000`, 2);
  const head = readSynthOutput(headDir);
  if (!head) throw new CliError(`${headDir}: does not exist; synthesize the head first ("npm run synth")`);
  out.stdout(renderSynthDiff(diffSynthOutputs(readSynthOutput(baseDir), head), { title: values.title, maxChars }));
  return 0;
}

if (require.main === module) runAsProcess(main);
