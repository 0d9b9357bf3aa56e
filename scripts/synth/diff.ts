/** Two synth outputs compared stack by stack and block by block, attribute by attribute (secret-looking values redacted). */
import { diffValues, type Difference } from "../lib/json-diff";
import { redact } from "../lib/redaction";
import type { Blocks } from "./blocks";

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
