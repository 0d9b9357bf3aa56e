/**
 * Classification of each stack's plan: its status, counts per kind of change, the changes in review order, the
 * dangerous ones, drift, output changes, and the upstream stacks that make it provisional.
 */
import { transitiveDependencies } from "../lib/graph";
import { changeKind, isChanging, type ChangeKind, type PlanJson, type ResourceChange } from "../lib/terraform-plan";
import { findDangers, type Danger } from "./dangers";

/** One stack's input: its plan, or the fact that it failed or was not planned. */
export interface StackPlanInput {
  readonly id: string;
  readonly plan?: PlanJson;
  readonly failed?: boolean;
}

export type Counts = Record<ChangeKind, number>;
export type Status = "changes" | "no-changes" | "failed" | "not-planned";

export interface StackAnalysis {
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

/** Most destructive first. */
export const KIND_ORDER: readonly ChangeKind[] = ["delete", "replace", "update", "create", "forget"];

/** Code-point order (`aws_iam_role.x` before `aws_iam_role_policy.y`), independent of the locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function emptyCounts(): Counts {
  return { create: 0, update: 0, replace: 0, delete: 0, forget: 0, read: 0, "no-op": 0 };
}

/** Classifies every stack, then marks those downstream of a stack that changes, failed or was not planned. */
export function analyse(inputs: readonly StackPlanInput[], upstream: Readonly<Record<string, readonly string[]>>): StackAnalysis[] {
  const first = inputs.map(classify);
  const statusOf = new Map(first.map((s) => [s.id, s.status]));
  return first.map((s) => ({
    ...s,
    provisionalBecause: [...transitiveDependencies(upstream, s.id)]
      .filter((u) => statusOf.has(u) && statusOf.get(u) !== "no-changes")
      .sort()
      .map((id) => ({ id, status: statusOf.get(id)! })),
  }));
}

function classify(input: StackPlanInput): Omit<StackAnalysis, "provisionalBecause"> {
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
}
