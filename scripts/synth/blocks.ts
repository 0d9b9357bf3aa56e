/** A synth output (`cdktf.out`) read as addressable blocks per stack, without cdktf's metadata. */
import * as fs from "fs";
import * as path from "path";
import { CliError } from "../lib/cli";
import { isPlainObject } from "../lib/json-diff";

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
