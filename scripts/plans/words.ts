/** How the plan summary words kinds of change and stack statuses. */
import type { ChangeKind } from "../lib/terraform-plan";
import { KIND_ORDER, type Counts, type Status } from "./analysis";

/** The count columns of the table, in this order. */
export const COLUMNS: readonly ChangeKind[] = ["create", "update", "replace", "delete"];

export const VERB: Readonly<Record<ChangeKind, string>> = {
  create: "to create",
  update: "to update",
  replace: "to replace",
  delete: "to delete",
  forget: "to forget",
  read: "to read",
  "no-op": "unchanged",
};

/** Why an upstream stack makes its dependents' plans provisional. */
export const UPSTREAM_STATUS: Readonly<Record<Status, string>> = {
  changes: "changes",
  failed: "failed",
  "not-planned": "not planned",
  "no-changes": "unchanged",
};

/** `5 to create, 4 to update, ...` in column order. */
export function changeSummary(counts: Counts): string {
  const parts = KIND_ORDER.filter((k) => counts[k] > 0)
    .sort((a, b) => COLUMNS.indexOf(a) - COLUMNS.indexOf(b))
    .map((k) => `${counts[k]} ${VERB[k]}`);
  return parts.join(", ");
}
