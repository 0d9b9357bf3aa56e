/**
 * The option catalogue's lookups, under the name the scripts and tests know. The code lives in lookup.ts: a module
 * named `catalogue` next to catalogue.json is ambiguous to Node's `require("./catalogue")`, which tries `.json`
 * before `.ts` (Jest's global setup loads the stacks that way), so code inside config/ imports "./lookup".
 */
export * from "./lookup";
