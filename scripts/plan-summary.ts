/**
 * Renders the plans of an environment's stacks (`terraform show -json tfplan` of each) as one Markdown summary for a
 * PR comment and the job summary: a headline, the changes to review first (data loss, IAM, state backend, ingress
 * from the internet), a table of counts per stack, then per stack the changed resources and attributes. Sensitive
 * values are never printed. Downstream stacks whose upstream changes are marked provisional: their plan read the
 * upstream state as it is applied today. Reading the files: plans/inputs.ts; classifying: plans/analysis.ts and
 * plans/dangers.ts; rendering: plans/render.ts.
 *
 *   npm run plan-summary -- --order-from stacks-dev.json plan-dev-network.json plan-dev-storage.json ...
 */
import * as fs from "fs";
import * as path from "path";
import { CliError, parseCommandLine, runAsProcess, type Output } from "./lib/cli";
import { GITHUB_COMMENT_LIMIT } from "./lib/markdown";
import { redactPlan } from "./lib/redaction";
import type { StackPlanInput } from "./plans/analysis";
import { readOrderFile, readPlanFile, stackIdFromFile, type OrderFile } from "./plans/inputs";
import { renderPlanSummary } from "./plans/render";

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

const OPTIONS = {
  "order-from": { type: "string" },
  stack: { type: "string", multiple: true },
  failed: { type: "string", multiple: true },
  title: { type: "string" },
  "run-url": { type: "string" },
  "max-chars": { type: "string" },
  "redacted-out": { type: "string" },
} as const;

export function main(argv: readonly string[], out: Output): number {
  const { values, positionals } = parseCommandLine(argv, OPTIONS, USAGE);
  const files = planFiles(values.stack ?? [], positionals);
  const failed = new Set(values.failed ?? []);
  if (files.size === 0 && failed.size === 0 && !values["order-from"]) throw new CliError(`no plan files given\n\n${USAGE}`, 2);

  const maxChars = values["max-chars"] === undefined ? undefined : Number(values["max-chars"]);
  if (maxChars !== undefined && (!Number.isInteger(maxChars) || maxChars < 1000))
    throw new CliError(`--max-chars ${values["max-chars"]}: expected an integer >= 1000`, 2);

  const order = values["order-from"] ? readOrderFile(values["order-from"]) : undefined;
  const inputs: StackPlanInput[] = stackIds(order, values["order-from"], files, failed).map((id) => ({
    id,
    failed: failed.has(id),
    plan: files.has(id) && !failed.has(id) ? readPlanFile(files.get(id)!) : undefined,
  }));
  if (values["redacted-out"]) writeRedacted(values["redacted-out"], inputs);
  out.stdout(
    renderPlanSummary(inputs, { environment: order?.environment, title: values.title, upstream: order?.upstream, runUrl: values["run-url"], maxChars }),
  );
  return 0;
}

/** Stack id → plan file, from `--stack <id>=<file>` mappings and plan files named after their stack. */
function planFiles(mappings: readonly string[], positionals: readonly string[]): Map<string, string> {
  const files = new Map<string, string>();
  const add = (id: string, file: string) => {
    if (files.has(id)) throw new CliError(`two plan files for stack "${id}": ${files.get(id)} and ${file}`);
    files.set(id, file);
  };
  for (const mapping of mappings) {
    const eq = mapping.indexOf("=");
    if (eq <= 0 || eq === mapping.length - 1) throw new CliError(`--stack ${mapping}: expected <stack id>=<plan.json>\n\n${USAGE}`, 2);
    add(mapping.slice(0, eq), mapping.slice(eq + 1));
  }
  for (const file of positionals) add(stackIdFromFile(file), file);
  return files;
}

/** The stacks to report: the order file's (every plan must belong to one of them), else those given, in order given. */
function stackIds(order: OrderFile | undefined, orderFile: string | undefined, files: ReadonlyMap<string, string>, failed: ReadonlySet<string>): string[] {
  if (!order) return [...new Set([...files.keys(), ...failed])];
  const unknown = [...files.keys(), ...failed].filter((id) => !order.stacks.includes(id));
  if (unknown.length > 0) {
    throw new CliError(
      `stack "${unknown[0]}" is not in ${orderFile} (${order.stacks.join(", ")}); name plan files plan-<stack id>.json or use --stack <id>=<file>`,
    );
  }
  return [...order.stacks];
}

/** Each plan, sensitive values redacted, as `<dir>/plan-<id>.json` (CI artifacts). */
function writeRedacted(dir: string, inputs: readonly StackPlanInput[]): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const input of inputs) {
    if (input.plan) fs.writeFileSync(path.join(dir, `plan-${input.id}.json`), `${JSON.stringify(redactPlan(input.plan), null, 2)}\n`);
  }
}

if (require.main === module) runAsProcess(main);
