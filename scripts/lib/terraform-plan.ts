import { isPlainObject } from "./json-diff";

/**
 * The parts of `terraform show -json <planfile>` the tools read (format 1.x; see Terraform's "JSON Output Format").
 */
export type Action = "no-op" | "create" | "read" | "update" | "delete" | "forget";

export interface Change {
  readonly actions: readonly Action[];
  readonly before: unknown;
  readonly after: unknown;
  /** Mirrors `after`; `true` where the value is only known after apply. */
  readonly after_unknown?: unknown;
  /** Mirror `before`/`after`; `true` where the value is sensitive. */
  readonly before_sensitive?: unknown;
  readonly after_sensitive?: unknown;
  /** Attribute paths that force the replacement. */
  readonly replace_paths?: readonly (readonly (string | number)[])[];
  readonly importing?: { readonly id?: string } | null;
}

export interface ResourceChange {
  readonly address: string;
  readonly module_address?: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly index?: string | number;
  readonly provider_name?: string;
  readonly change: Change;
  readonly action_reason?: string;
}

export interface PlanJson {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly resource_changes?: readonly ResourceChange[];
  readonly resource_drift?: readonly ResourceChange[];
  readonly output_changes?: Readonly<Record<string, Change>>;
  readonly errored?: boolean;
}

/** What a change does, from its action list. */
export type ChangeKind = "create" | "update" | "replace" | "delete" | "forget" | "read" | "no-op";

export function changeKind(actions: readonly Action[]): ChangeKind {
  if (actions.includes("delete") && actions.includes("create")) return "replace";
  if (actions.includes("create")) return "create";
  if (actions.includes("delete")) return "delete";
  if (actions.includes("update")) return "update";
  if (actions.includes("forget")) return "forget";
  if (actions.includes("read")) return "read";
  return "no-op";
}

/** Kinds that change infrastructure (no-op and data-source reads are ignored everywhere). */
export const CHANGING_KINDS: readonly ChangeKind[] = ["delete", "replace", "update", "create", "forget"];

export function isChanging(rc: ResourceChange): boolean {
  return rc.mode === "managed" && CHANGING_KINDS.includes(changeKind(rc.change.actions));
}

/** Parses and checks plan JSON; `source` names the file in messages. */
export function parsePlan(text: string, source: string): PlanJson {
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: is not JSON (${(error as Error).message}); expected the output of "terraform show -json <planfile>"`);
  }
  if (!isPlainObject(plan) || typeof plan.format_version !== "string") {
    throw new Error(`${source}: has no "format_version"; expected the output of "terraform show -json <planfile>"`);
  }
  if (plan.resource_changes !== undefined && !Array.isArray(plan.resource_changes)) throw new Error(`${source}: "resource_changes" is not an array`);
  if (!String(plan.format_version).startsWith("1.")) throw new Error(`${source}: plan format ${plan.format_version} is not supported (expected 1.x)`);
  return plan as unknown as PlanJson;
}
