import * as fs from "fs";
import * as path from "path";
import { CONTRACTS } from "../../stacks/contracts";
import type { StackKind } from "../../modules/core/contract";
import { repoEnvironments, sharedApp, type StackJson } from "../support/synth";
import { CONTRACT_EXAMPLES } from "../support/contract-examples";

/**
 * Contracts hold across every environment: every output a consumer reads is published by the producer whose
 * state it reads, every read is a recorded dependency, and no cdktf automatic cross-stack reference exists.
 */
const app = sharedApp();
const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, "manifest.json"), "utf8")) as { stacks: Record<string, { dependencies: string[] }> };
const json = new Map<string, StackJson>(app.stacks.map((s) => [s.id, JSON.parse(fs.readFileSync(path.join(s.dir, "cdk.tf.json"), "utf8"))]));
const REFERENCE = /\$\{data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_]+)/g;

/** Remote-state reads of a stack: data source name -> producer stack id (from the state key) and outputs read. */
function reads(id: string): { source: string; producer: string; outputs: string[] }[] {
  const stack = json.get(id)!;
  const text = JSON.stringify(stack);
  return Object.entries(stack.data?.terraform_remote_state ?? {}).map(([source, body]) => {
    const key = (body.config as { key: string }).key;
    const [env, file] = key.split("/");
    const outputs = [...text.matchAll(REFERENCE)].filter((m) => m[1] === source).map((m) => m[2]);
    return { source, producer: `${env}-${file.replace(".tfstate", "")}`, outputs: [...new Set(outputs)] };
  });
}

describe.each(app.stacks.map((s) => s.id))("%s", (id) => {
  it("reads only outputs its producers publish", () => {
    const missing = reads(id).flatMap((r) => r.outputs.filter((o) => !(o in (json.get(r.producer)?.output ?? {}))).map((o) => `${r.producer}.${o}`));
    expect(missing).toEqual([]);
  });

  it("records a dependency on every stack whose state it reads, and on no other", () => {
    expect([...manifest.stacks[id].dependencies].sort()).toEqual([...new Set(reads(id).map((r) => r.producer))].sort());
  });

  it("references only resources, data sources and ephemeral values declared in its own stack", () => {
    // The synth skips cdktf's cross-stack preparing pass: a stray cross-stack token would show here as a dangling reference.
    const stack = json.get(id)!;
    const declared = new Set<string>();
    for (const [kind, prefix] of [
      ["resource", ""],
      ["data", "data."],
      ["ephemeral", "ephemeral."],
    ] as const) {
      for (const [type, instances] of Object.entries((stack as any)[kind] ?? {}))
        for (const name of Object.keys(instances as object)) declared.add(`${prefix}${type}.${name}`);
    }
    const text = JSON.stringify(stack);
    const referenced = [...text.matchAll(/\$\{([^}]*)\}/g)].flatMap((m) =>
      [...m[1].matchAll(/(?:^|[^.\w])((?:data\.|ephemeral\.)?(?:aws_[a-z0-9_]+|terraform_remote_state)\.[A-Za-z0-9_-]+)/g)].map((r) => r[1]),
    );
    expect([...new Set(referenced)].filter((r) => !declared.has(r))).toEqual([]);
  });

  it("uses no cdktf automatic cross-stack reference", () => {
    expect(JSON.stringify(json.get(id))).not.toMatch(/cross-stack-(output|reference-input)/);
  });
});

describe("contract registry", () => {
  it.each(repoEnvironments().map((c) => [c.name, c] as const))("publishes exactly the registered contract of each stack in %s", (env, config) => {
    for (const [kind, contract] of Object.entries(CONTRACTS)) {
      const published = Object.keys(json.get(`${env}-${kind}`)?.output ?? {}).sort();
      expect({ kind, published }).toEqual({ kind, published: Object.keys(contract!.outputs).sort() });
      // Every output has an offline stand-in for this environment in test support, and no stand-in is left over.
      expect(Object.keys(CONTRACT_EXAMPLES[kind as StackKind]).sort()).toEqual(Object.keys(contract!.outputs).sort());
      for (const example of Object.values(CONTRACT_EXAMPLES[kind as StackKind])) expect(example(config)).toBeDefined();
    }
  });

  it("names a contract for every kind of environment stack", () => {
    const kinds = new Set(app.stacks.filter((s) => s.environment).map((s) => s.id.slice(s.environment!.length + 1)));
    expect([...kinds].filter((k) => !CONTRACTS[k as StackKind])).toEqual([]);
  });
});
