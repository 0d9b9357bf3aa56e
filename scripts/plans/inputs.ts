/** Reading the plan summary's input files: plan JSON per stack, and the stacks tool's order file. */
import * as fs from "fs";
import * as path from "path";
import { CliError } from "../lib/cli";
import { parsePlan, type PlanJson } from "../lib/terraform-plan";

/** The stack a plan file belongs to, from its name: plan-dev-network.json, dev-network.json, dev-network.plan.json. */
export function stackIdFromFile(file: string): string {
  return path
    .basename(file)
    .replace(/\.json$/, "")
    .replace(/\.plan$/, "")
    .replace(/^plan-/, "");
}

/** `npm run stacks -- --env <env> --json` output, as far as the summary reads it. */
export interface OrderFile {
  readonly environment?: string;
  readonly stacks: readonly string[];
  readonly upstream?: Readonly<Record<string, readonly string[]>>;
}

export function readOrderFile(file: string): OrderFile {
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

export function readPlanFile(file: string): PlanJson {
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
