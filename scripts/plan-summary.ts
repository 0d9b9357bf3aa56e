/**
 * Renders the plans of an environment's stacks (`terraform show -json tfplan` of each) as one Markdown summary for a
 * PR comment and the job summary: a headline, the changes to review first (data loss, IAM, state backend, ingress
 * from the internet), a table of counts per stack, then per stack the changed resources and attributes. Sensitive
 * values are never printed. Downstream stacks whose upstream changes are marked provisional: their plan read the
 * upstream state as it is applied today.
 *
 *   npm run plan-summary -- --order-from stacks-dev.json plan-dev-network.json plan-dev-storage.json ...
 */
import * as fs from "fs";
import * as path from "path";
import { CliError, parseCommandLine, runAsProcess, type Output } from "./lib/cli";
import { findDangers, type Danger, type DangerCategory } from "./lib/danger";
import { transitiveDependencies } from "./lib/graph";
import { formatPath } from "./lib/json-diff";
import { code, compact, count, fittedBlock, GITHUB_COMMENT_LIMIT, plain } from "./lib/markdown";
import {
  attributeChanges,
  changeKind,
  displayText,
  isChanging,
  KNOWN_AFTER_APPLY,
  SENSITIVE,
  parsePlan,
  redact,
  redactPlan,
  withUnknowns,
  type AttributeLine,
  type ChangeKind,
  type PlanJson,
  type ResourceChange,
} from "./lib/terraform-plan";

export const USAGE = [
  "usage: npm run plan-summary -- [--order-from <stacks.json>] [--stack <id>=<plan.json>]... [<plan.json>...]",
  "",
  "  <plan.json>             `terraform show -json tfplan` of one stack; the stack id is the file name without",
  "                          `.json` and a leading `plan-` (plan-dev-network.json → dev-network)",
  "  --stack <id>=<file>     name the stack of a plan file explicitly",
  "  --order-from <file>     `npm run stacks -- --env <env> --json` output: stack order, upstream map (provisional",
  "                          flags) and environment name; stacks without a plan are reported as not planned",
  "  --failed <id>           a stack whose plan (or apply) failed (repeatable)",
  "  --title <text>          heading (default: Terraform plan: <environment>)",
  "  --run-url <url>         link to the workflow run holding the full plans",
  "  --redacted-out <dir>    also write each plan, sensitive values redacted, to <dir>/plan-<id>.json (CI artifacts)",
  `  --max-chars <n>         size limit of the Markdown (default 60000; GitHub comments hold ${GITHUB_COMMENT_LIMIT})`,
].join("\n");

/** One stack's input: its plan, or the fact that it failed or was not planned. */
export interface StackPlanInput {
  readonly id: string;
  readonly plan?: PlanJson;
  readonly failed?: boolean;
}

export interface SummaryOptions {
  readonly environment?: string;
  readonly title?: string;
  /** Direct upstream stacks of each stack (from the stacks tool): marks provisional plans. */
  readonly upstream?: Readonly<Record<string, readonly string[]>>;
  readonly runUrl?: string;
  /** @default 60000 */
  readonly maxChars?: number;
}

type Counts = Record<ChangeKind, number>;
type Status = "changes" | "no-changes" | "failed" | "not-planned";

interface StackAnalysis {
  readonly id: string;
  readonly status: Status;
  readonly counts: Counts;
  /** Changing managed resources, most destructive first. */
  readonly changes: readonly ResourceChange[];
  readonly dangers: readonly Danger[];
  /** Upstream stacks (direct or transitive) that change, failed or were not planned, with that status. */
  readonly provisionalBecause: readonly { readonly id: string; readonly status: Status }[];
  readonly drift: readonly string[];
  readonly outputs: readonly { name: string; kind: ChangeKind }[];
  readonly errored: boolean;
}

const KIND_ORDER: readonly ChangeKind[] = ["delete", "replace", "update", "create", "forget"];
const COLUMNS: readonly ChangeKind[] = ["create", "update", "replace", "delete"];
const VERB: Readonly<Record<ChangeKind, string>> = {
  create: "to create",
  update: "to update",
  replace: "to replace",
  delete: "to delete",
  forget: "to forget",
  read: "to read",
  "no-op": "unchanged",
};

/** Code-point order (`aws_iam_role.x` before `aws_iam_role_policy.y`), independent of the locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function emptyCounts(): Counts {
  return { create: 0, update: 0, replace: 0, delete: 0, forget: 0, read: 0, "no-op": 0 };
}

function analyse(inputs: readonly StackPlanInput[], upstream: Readonly<Record<string, readonly string[]>>): StackAnalysis[] {
  const first = inputs.map((input) => {
    const counts = emptyCounts();
    const all = input.plan?.resource_changes ?? [];
    for (const rc of all) if (isChanging(rc)) counts[changeKind(rc.change.actions)]++;
    const changes = all
      .filter(isChanging)
      .sort((a, b) => KIND_ORDER.indexOf(changeKind(a.change.actions)) - KIND_ORDER.indexOf(changeKind(b.change.actions)) || compareText(a.address, b.address));
    const status: Status = input.failed ? "failed" : !input.plan ? "not-planned" : changes.length > 0 ? "changes" : "no-changes";
    const outputs = Object.entries(input.plan?.output_changes ?? {})
      .map(([name, change]) => ({ name, kind: changeKind(change.actions) }))
      .filter((o) => o.kind !== "no-op")
      .sort((a, b) => compareText(a.name, b.name));
    return {
      id: input.id,
      status,
      counts,
      changes,
      dangers: findDangers(input.id, changes),
      drift: (input.plan?.resource_drift ?? []).map((d) => d.address).sort(),
      outputs,
      errored: input.plan?.errored === true,
    };
  });
  const statusOf = new Map(first.map((s) => [s.id, s.status]));
  return first.map((s) => ({
    ...s,
    provisionalBecause: [...transitiveDependencies(upstream, s.id)]
      .filter((u) => statusOf.has(u) && statusOf.get(u) !== "no-changes")
      .sort()
      .map((id) => ({ id, status: statusOf.get(id)! })),
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

const ICON: Readonly<Record<DangerCategory, string>> = { stateful: "🔥", "state-backend": "🗄️", "open-ingress": "🌐", iam: "🔑" };

function changeSummary(counts: Counts): string {
  const parts = KIND_ORDER.filter((k) => counts[k] > 0)
    .sort((a, b) => COLUMNS.indexOf(a) - COLUMNS.indexOf(b))
    .map((k) => `${counts[k]} ${VERB[k]}`);
  return parts.join(", ");
}

function headline(stacks: readonly StackAnalysis[], dangers: readonly Danger[], environment: string | undefined): string {
  const total = emptyCounts();
  for (const s of stacks) for (const k of KIND_ORDER) total[k] += s.counts[k];
  const changing = stacks.filter((s) => s.status === "changes").length;
  const failed = stacks.filter((s) => s.status === "failed");
  const notPlanned = stacks.filter((s) => s.status === "not-planned");
  const provisional = stacks.filter((s) => s.provisionalBecause.length > 0 && s.status !== "failed" && s.status !== "not-planned");
  const subject = environment ? `**${plain(environment)}**: ` : "";
  const parts = [
    changing === 0
      ? `${subject}no changes in ${count(stacks.length, "stack")}`
      : `${subject}${changing} of ${count(stacks.length, "stack")} change: ${changeSummary(total)}`,
  ];
  const reviewed = new Set(dangers.map((d) => `${d.stack} ${d.address}`)).size;
  if (reviewed > 0) parts.push(`⚠️ **${reviewed} to review first**`);
  if (provisional.length > 0) parts.push(`⏳ ${provisional.length} provisional`);
  if (failed.length > 0) parts.push(`❌ ${failed.length} failed (${failed.map((s) => code(s.id)).join(", ")})`);
  if (notPlanned.length > 0) parts.push(`❔ ${notPlanned.length} not planned (${notPlanned.map((s) => code(s.id)).join(", ")})`);
  if (changing === 0 && failed.length === 0 && notPlanned.length === 0) parts[0] += " ✅";
  return `${parts.join(" · ")}\n`;
}

const CATEGORY_ORDER: readonly DangerCategory[] = ["stateful", "state-backend", "open-ingress", "iam"];
const MAX_DANGER_LINES = 40;
const MAX_IAM_ADDRESSES = 8;

function dangerSection(dangers: readonly Danger[], analysis: readonly StackAnalysis[]): string {
  if (dangers.length === 0) return "";
  const lines: string[] = [];
  const replaceReasons = new Map<string, string[]>();
  for (const s of analysis) {
    for (const rc of s.changes) {
      const paths = rc.change.replace_paths ?? [];
      if (paths.length > 0)
        replaceReasons.set(
          `${s.id} ${rc.address}`,
          paths.map((p) => p.join(".")),
        );
    }
  }
  // Data loss, the state backend and open ingress: one line per resource (reasons of one resource joined).
  const perResource = new Map<string, Danger[]>();
  for (const category of CATEGORY_ORDER.filter((c) => c !== "iam")) {
    for (const d of dangers.filter((x) => x.category === category)) {
      const key = `${d.stack} ${d.address}`;
      perResource.set(key, [...(perResource.get(key) ?? []), d]);
    }
  }
  for (const [key, group] of perResource) {
    const d = group[0];
    const reasons = group.map((g) => `${ICON[g.category]} ${plain(g.reason)}${g.category === "stateful" ? " (data loss)" : ""}`).join("; ");
    const forced = replaceReasons.get(key);
    const forcedText = d.kind === "replace" && forced ? `, forced by ${forced.map((p) => code(p)).join(", ")}` : "";
    lines.push(`- **${d.kind}** ${code(d.address)} in ${code(d.stack)}: ${reasons}${forcedText}\n`);
  }
  // IAM: one line per stack.
  const iamStacks = [...new Set(dangers.filter((d) => d.category === "iam").map((d) => d.stack))];
  for (const stack of iamStacks) {
    const iam = dangers.filter((d) => d.category === "iam" && d.stack === stack);
    const byKind = KIND_ORDER.filter((k) => iam.some((d) => d.kind === k)).map((k) => `${iam.filter((d) => d.kind === k).length} ${VERB[k]}`);
    const shown = iam.slice(0, MAX_IAM_ADDRESSES).map((d) => `${d.kind} ${code(d.address)}`);
    const more = iam.length > MAX_IAM_ADDRESSES ? `, and ${iam.length - MAX_IAM_ADDRESSES} more (see details)` : "";
    lines.push(`- ${ICON.iam} **IAM** in ${code(stack)}: ${byKind.join(", ")}: ${shown.join(", ")}${more}\n`);
  }
  const kept = lines.slice(0, MAX_DANGER_LINES);
  if (lines.length > kept.length) kept.push(`- …and ${lines.length - kept.length} more (see details)\n`);
  return `\n#### ⚠️ Review first\n\n${kept.join("")}`;
}

/** Why an upstream stack makes its dependents' plans provisional. */
const UPSTREAM_STATUS: Readonly<Record<Status, string>> = { changes: "changes", failed: "failed", "not-planned": "not planned", "no-changes": "unchanged" };

function statusCell(s: StackAnalysis): string {
  const notes: string[] = [];
  if (s.status === "failed") notes.push("❌ failed (see the job log)");
  if (s.status === "not-planned") notes.push("❔ not planned");
  if (s.status === "no-changes") notes.push("✅ no changes");
  const reviewed = new Set(s.dangers.map((d) => d.address)).size;
  if (reviewed > 0) notes.push(`⚠️ ${reviewed} to review`);
  if (s.counts.forget > 0) notes.push(`${s.counts.forget} to forget`);
  if (s.provisionalBecause.length > 0 && s.status !== "failed" && s.status !== "not-planned") {
    notes.push(`⏳ provisional (upstream ${s.provisionalBecause.map((u) => `${u.id} ${UPSTREAM_STATUS[u.status]}`).join(", ")})`);
  }
  if (s.errored) notes.push("plan errored");
  return notes.join("; ");
}

function table(analysis: readonly StackAnalysis[]): string {
  const header = "\n| Stack | Create | Update | Replace | Delete | Status |\n|---|---:|---:|---:|---:|---|\n";
  const rows = analysis.map((s) => {
    const cells = s.status === "failed" || s.status === "not-planned" ? COLUMNS.map(() => "–") : COLUMNS.map((k) => String(s.counts[k]));
    return `| ${plain(s.id)} | ${cells.join(" | ")} | ${plain(statusCell(s))} |\n`;
  });
  return header + rows.join("");
}

const MAX_ATTRIBUTE_LINES = 30;

function valueText(value: unknown, max = 120): string {
  return code(displayText(compact(value, max)));
}

function attributeLine(line: AttributeLine): string {
  const name = code(displayText(line.path));
  const forces = line.forcesReplacement ? " **(forces replacement)**" : "";
  const shown = (value: unknown) => displayText(compact(value));
  if (line.kind === "changed" && shown(line.before) === SENSITIVE && shown(line.after) === SENSITIVE)
    return `  - ${name}: (sensitive value changed)${forces}\n`;
  if ((line.kind === "added" || line.kind === "changed") && line.after === KNOWN_AFTER_APPLY) {
    return `  - ${name}: ${line.kind === "changed" ? `${valueText(line.before)} → ` : ""}(known after apply)${forces}\n`;
  }
  switch (line.kind) {
    case "set":
      return `  - ${name} = ${valueText(line.after)}\n`;
    // Whole blocks (an added IAM statement or ingress rule) get more room than single values.
    case "added":
      return `  - ${name}: (added) ${valueText(line.after, 300)}${forces}\n`;
    case "removed":
      return `  - ${name}: ${valueText(line.before, 300)} → (removed)${forces}\n`;
    case "changed":
      return `  - ${name}: ${valueText(line.before)} → ${valueText(line.after)}${forces}\n`;
  }
}

/** One resource's entry in the details: the action, the address and its attribute changes. */
function resourceEntry(rc: ResourceChange): string {
  const kind = changeKind(rc.change.actions);
  const lines = attributeChanges(rc.change, kind, formatPath);
  const reason = rc.action_reason ? ` (${plain(rc.action_reason.replace(/_/g, " ").toLowerCase())})` : "";
  const imported = rc.change.importing ? " (import)" : "";
  const shown = lines.slice(0, MAX_ATTRIBUTE_LINES).map(attributeLine);
  if (lines.length > shown.length) shown.push(`  - … ${count(lines.length - shown.length, "more attribute")}\n`);
  return `- **${kind}** ${code(rc.address)}${imported}${reason}\n${shown.join("")}`;
}

function outputsLine(s: StackAnalysis, plan: PlanJson | undefined): string {
  if (s.outputs.length === 0) return "";
  const items = s.outputs.map((o) => {
    const change = plan?.output_changes?.[o.name];
    if (o.kind !== "update" || !change) return `${o.kind} ${code(o.name)}`;
    const before = displayText(compact(redact(change.before, change.before_sensitive), 60));
    const after = displayText(compact(redact(withUnknowns(change.after, change.after_unknown), change.after_sensitive), 60));
    return `update ${code(o.name)} (${code(before)} → ${code(after)})`;
  });
  return `\nOutputs: ${items.join(", ")}\n`;
}

function detailsHeader(s: StackAnalysis, truncated: boolean): string {
  const summary = `${plain(s.id)}</b>: ${changeSummary(s.counts) || "no changes"}${truncated ? " (truncated)" : ""}`;
  const notes: string[] = [];
  if (s.provisionalBecause.length > 0) {
    const upstream = s.provisionalBecause.map((u) => `${code(u.id)} (${UPSTREAM_STATUS[u.status]})`).join(", ");
    notes.push(
      `> ⏳ **Provisional**: this plan read the state of ${upstream} as applied today, not as this change leaves it; the apply re-plans it after them.\n\n`,
    );
  }
  if (s.errored) notes.push("> ❌ Terraform reported errors: this plan is incomplete.\n\n");
  if (s.drift.length > 0) notes.push(`Changed outside Terraform since the last apply: ${s.drift.map((a) => code(a)).join(", ")}\n\n`);
  return `<details><summary><b>${summary}</summary>\n\n${notes.join("")}`;
}

const DETAILS_CLOSE = "\n</details>\n\n";

/** Renders the summary; never longer than `maxChars`. */
export function renderPlanSummary(inputs: readonly StackPlanInput[], options: SummaryOptions = {}): string {
  const maxChars = options.maxChars ?? 60_000;
  const analysis = analyse(inputs, options.upstream ?? {});
  const dangers = analysis.flatMap((s) => s.dangers);
  const title = options.title ?? `Terraform plan${options.environment ? `: ${options.environment}` : ""}`;
  const truncationNote = `\n_Details truncated to stay under GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString("en-US")}-character comment limit; the full plans are in the ${options.runUrl ? `[workflow run's artifacts](${options.runUrl})` : "workflow run's artifacts"}._\n`;

  let text = `### ${plain(title)}\n\n${headline(analysis, dangers, options.environment)}${dangerSection(dangers, analysis)}${table(analysis)}\n`;
  const budget = maxChars - truncationNote.length;
  if (text.length > budget) return `${text.slice(0, Math.max(0, budget - 2))}…\n${truncationNote}`.slice(0, maxChars);

  let truncated = false;
  for (const s of analysis) {
    if (s.status !== "changes") continue;
    const plan = inputs.find((i) => i.id === s.id)?.plan;
    const entries = s.changes.map(resourceEntry);
    const outputs = outputsLine(s, plan);
    const full = detailsHeader(s, false) + entries.join("") + outputs + DETAILS_CLOSE;
    if (!truncated && text.length + full.length <= budget) {
      text += full;
      continue;
    }
    // Does not fit: as many entries as fit, then a count of the rest.
    truncated = true;
    const header = detailsHeader(s, true);
    const restNote = (n: number) => `- … ${count(n, "more resource")} not shown (comment size limit)\n`;
    const block = fittedBlock({ used: text.length, budget, open: header, entries, rest: restNote, close: DETAILS_CLOSE });
    if (block === undefined) {
      const omitted = `- ${code(s.id)}: details omitted (comment size limit)\n`;
      if (text.length + omitted.length <= budget) text += omitted;
      continue;
    }
    text += block;
  }
  return truncated ? text + truncationNote : text;
}

// ---------------------------------------------------------------------------------------------------------------
// Command line

/** The stack a plan file belongs to, from its name: plan-dev-network.json, dev-network.json, dev-network.plan.json. */
export function stackIdFromFile(file: string): string {
  return path
    .basename(file)
    .replace(/\.json$/, "")
    .replace(/\.plan$/, "")
    .replace(/^plan-/, "");
}

interface OrderFile {
  readonly environment?: string;
  readonly stacks: readonly string[];
  readonly upstream?: Readonly<Record<string, readonly string[]>>;
}

function readOrderFile(file: string): OrderFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new CliError(`--order-from ${file}: cannot read it (${(error as Error).message.split("\n")[0]})`);
  }
  const order = parsed as Partial<OrderFile>;
  if (!Array.isArray(order.stacks) || !order.stacks.every((s) => typeof s === "string")) {
    throw new CliError(`--order-from ${file}: has no "stacks" list; expected the output of "npm run stacks -- --env <env> --json"`);
  }
  return order as OrderFile;
}

function readPlanFile(file: string): PlanJson {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new CliError(`${file}: cannot read it (${(error as Error).message.split("\n")[0]})`);
  }
  try {
    return parsePlan(text, file);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

export function main(argv: readonly string[], out: Output): number {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      "order-from": { type: "string" },
      stack: { type: "string", multiple: true },
      failed: { type: "string", multiple: true },
      title: { type: "string" },
      "run-url": { type: "string" },
      "max-chars": { type: "string" },
      "redacted-out": { type: "string" },
    },
    USAGE,
  );
  const files = new Map<string, string>();
  const add = (id: string, file: string) => {
    if (files.has(id)) throw new CliError(`two plan files for stack "${id}": ${files.get(id)} and ${file}`);
    files.set(id, file);
  };
  for (const mapping of values.stack ?? []) {
    const eq = mapping.indexOf("=");
    if (eq <= 0 || eq === mapping.length - 1) throw new CliError(`--stack ${mapping}: expected <stack id>=<plan.json>\n\n${USAGE}`, 2);
    add(mapping.slice(0, eq), mapping.slice(eq + 1));
  }
  for (const file of positionals) add(stackIdFromFile(file), file);
  const failed = new Set(values.failed ?? []);
  if (files.size === 0 && failed.size === 0 && !values["order-from"]) throw new CliError(`no plan files given\n\n${USAGE}`, 2);

  const maxChars = values["max-chars"] === undefined ? undefined : Number(values["max-chars"]);
  if (maxChars !== undefined && (!Number.isInteger(maxChars) || maxChars < 1000))
    throw new CliError(`--max-chars ${values["max-chars"]}: expected an integer >= 1000`, 2);

  const order = values["order-from"] ? readOrderFile(values["order-from"]) : undefined;
  let ids: string[];
  if (order) {
    const unknown = [...files.keys(), ...failed].filter((id) => !order.stacks.includes(id));
    if (unknown.length > 0) {
      throw new CliError(
        `stack "${unknown[0]}" is not in ${values["order-from"]} (${order.stacks.join(", ")}); name plan files plan-<stack id>.json or use --stack <id>=<file>`,
      );
    }
    ids = [...order.stacks];
  } else {
    ids = [...new Set([...files.keys(), ...failed])];
  }
  const inputs: StackPlanInput[] = ids.map((id) => ({
    id,
    failed: failed.has(id),
    plan: files.has(id) && !failed.has(id) ? readPlanFile(files.get(id)!) : undefined,
  }));
  const redactedDir = values["redacted-out"];
  if (redactedDir) {
    fs.mkdirSync(redactedDir, { recursive: true });
    for (const input of inputs) {
      if (input.plan) fs.writeFileSync(path.join(redactedDir, `plan-${input.id}.json`), `${JSON.stringify(redactPlan(input.plan), null, 2)}\n`);
    }
  }
  out.stdout(
    renderPlanSummary(inputs, {
      environment: order?.environment,
      title: values.title,
      upstream: order?.upstream,
      runUrl: values["run-url"],
      maxChars,
    }),
  );
  return 0;
}

if (require.main === module) runAsProcess(main);
