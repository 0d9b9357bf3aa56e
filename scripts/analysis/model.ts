/**
 * A read-only view of an environment's synthesized stacks that follows Terraform references, including across
 * stacks: `${data.terraform_remote_state.<name>.outputs.<output>}` is resolved to the producer stack (the stack whose
 * S3 backend bucket and key the data source reads) and to the value of that output there, recursively, so e.g. an
 * ECS service's `subnets` resolve to the network stack's `aws_subnet` resources and their `availability_zone`.
 */
import { s3Backend, type SynthesizedEnvironment, type SynthStack } from "./synthesized";

export type Body = Readonly<Record<string, unknown>>;

/** A managed resource of one stack. */
export interface ResourceAddress {
  readonly stack: string;
  readonly type: string;
  readonly name: string;
}

export interface ResourceRef extends ResourceAddress {
  readonly body: Body;
}

/** One value an expression resolves to. */
export type Resolved =
  | { readonly kind: "literal"; readonly value: unknown }
  | { readonly kind: "attribute"; readonly address: ResourceAddress; readonly attribute: string }
  | { readonly kind: "unknown"; readonly stack: string; readonly expression: string };

/** A subnet with its availability zone. */
export interface SubnetRef {
  readonly address: ResourceAddress;
  readonly az: string;
}

export const addressText = (a: ResourceAddress): string => `${a.stack}/${a.type}.${a.name}`;
export const sameAddress = (a: ResourceAddress, b: ResourceAddress): boolean => a.stack === b.stack && a.type === b.type && a.name === b.name;

const WHOLE_INTERPOLATION = /^\$\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}$/s;
const ELEMENT = /^element\(\s*(.+?)\s*,\s*(\d+)\s*\)$/s;
const REMOTE_OUTPUT = /^data\.terraform_remote_state\.([\w-]+)\.outputs\.(\w+)(?:\[(\d+)\])?$/;
const RESOURCE_ATTRIBUTE = /^([a-z][a-z0-9_]*)\.([\w-]+)\.(\w+)(?:\[(\d+)\])?$/;
/** Every remote-state output read anywhere in a string. */
export const REMOTE_OUTPUT_REFERENCE = /data\.terraform_remote_state\.([\w-]+)\.outputs\.(\w+)/g;

export const uniqueSorted = <T extends string>(values: Iterable<T>): T[] => [...new Set(values)].sort();

/** Terraform booleans in cdk.tf.json are sometimes strings ("true"). */
export function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

/** A number, or a numeric string; undefined otherwise. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

export class EnvironmentModel {
  readonly name: string;
  readonly stacks: readonly SynthStack[];
  readonly bootstrap?: SynthStack;
  private readonly byId: ReadonlyMap<string, SynthStack>;
  private readonly byBackend: ReadonlyMap<string, SynthStack>;

  constructor(environment: SynthesizedEnvironment) {
    this.name = environment.name;
    this.stacks = environment.stacks;
    this.bootstrap = environment.bootstrap;
    this.byId = new Map(environment.stacks.map((s) => [s.id, s]));
    const byBackend = new Map<string, SynthStack>();
    for (const stack of environment.stacks) {
      const backend = s3Backend(stack.json);
      if (backend) byBackend.set(`${backend.bucket}/${backend.key}`, stack);
    }
    this.byBackend = byBackend;
  }

  stack(id: string): SynthStack {
    const stack = this.byId.get(id);
    if (!stack) throw new Error(`no stack ${id} in environment ${this.name}`);
    return stack;
  }

  /** `network` for `prod-network`. */
  kindOf(stackId: string): string {
    return stackId.startsWith(`${this.name}-`) ? stackId.slice(this.name.length + 1) : stackId;
  }

  /** Every resource of `type` across the environment's stacks, by stack id then logical name. */
  resources(type: string, stacks: readonly SynthStack[] = this.stacks): ResourceRef[] {
    return stacks.flatMap((s) =>
      Object.entries(s.json.resource?.[type] ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, body]) => ({ stack: s.id, type, name, body })),
    );
  }

  resource(address: ResourceAddress): ResourceRef | undefined {
    const body = this.byId.get(address.stack)?.json.resource?.[address.type]?.[address.name];
    return body ? { ...address, body } : undefined;
  }

  /** The stack a `terraform_remote_state` data source of `stackId` reads (matched by backend bucket and key). */
  producerOf(stackId: string, dataName: string): SynthStack | undefined {
    const data = this.stack(stackId).json.data?.terraform_remote_state?.[dataName];
    const config = data?.config as { bucket?: unknown; key?: unknown } | undefined;
    if (!config || typeof config.bucket !== "string" || typeof config.key !== "string") return undefined;
    return this.byBackend.get(`${config.bucket}/${config.key}`);
  }

  /** The `terraform_remote_state` data sources of a stack with their producers and the outputs read from each. */
  contracts(stackId: string): { dataName: string; producer?: string; outputs: string[] }[] {
    const json = this.stack(stackId).json;
    const text = JSON.stringify([json.resource ?? {}, json.data ?? {}, json.output ?? {}, (json as { locals?: unknown }).locals ?? {}]);
    const read = new Map<string, Set<string>>();
    for (const match of text.matchAll(REMOTE_OUTPUT_REFERENCE)) {
      const outputs = read.get(match[1]) ?? new Set<string>();
      outputs.add(match[2]);
      read.set(match[1], outputs);
    }
    return Object.keys(json.data?.terraform_remote_state ?? {})
      .sort()
      .map((dataName) => ({ dataName, producer: this.producerOf(stackId, dataName)?.id, outputs: uniqueSorted(read.get(dataName) ?? []) }));
  }

  /** Resolves a configuration value of `stackId` to the values it stands for (lists are flattened). */
  resolve(stackId: string, value: unknown, depth = 0): Resolved[] {
    if (depth > 20) return [{ kind: "unknown", stack: stackId, expression: JSON.stringify(value) }];
    if (Array.isArray(value)) return value.flatMap((v) => this.resolve(stackId, v, depth + 1));
    if (typeof value !== "string") return [{ kind: "literal", value }];
    const whole = WHOLE_INTERPOLATION.exec(value);
    if (whole) return this.resolveExpression(stackId, whole[1].trim(), depth + 1);
    if (value.includes("${")) return [{ kind: "unknown", stack: stackId, expression: value }];
    return [{ kind: "literal", value }];
  }

  private resolveExpression(stackId: string, expression: string, depth: number): Resolved[] {
    const unknown: Resolved[] = [{ kind: "unknown", stack: stackId, expression }];
    const element = ELEMENT.exec(expression);
    if (element) {
      const list = this.resolveExpression(stackId, element[1], depth + 1);
      return list.length === 0 ? unknown : [list[Number(element[2]) % list.length]];
    }
    const remote = REMOTE_OUTPUT.exec(expression);
    if (remote) {
      const producer = this.producerOf(stackId, remote[1]);
      const output = producer?.json.output?.[remote[2]];
      if (!producer || !output) return unknown;
      const values = this.resolve(producer.id, output.value, depth + 1);
      return remote[3] === undefined ? values : values[Number(remote[3])] ? [values[Number(remote[3])]] : unknown;
    }
    const attribute = RESOURCE_ATTRIBUTE.exec(expression);
    if (attribute && attribute[1] !== "data" && attribute[1] !== "var" && attribute[1] !== "local") {
      const address = { stack: stackId, type: attribute[1], name: attribute[2] };
      if (!this.resource(address)) return unknown;
      return [{ kind: "attribute", address, attribute: attribute[3] }];
    }
    return unknown;
  }

  /** The literal a resolved value stands for: literals as they are, resource attributes from the resource's body. */
  valueOf(resolved: Resolved, depth = 0): unknown {
    if (resolved.kind === "literal") return resolved.value;
    if (resolved.kind === "unknown" || depth > 20) return undefined;
    const body = this.resource(resolved.address)?.body;
    if (!body || !(resolved.attribute in body)) return undefined;
    const values = this.resolve(resolved.address.stack, body[resolved.attribute]);
    if (values.length !== 1) return Array.isArray(body[resolved.attribute]) ? values.map((v) => this.valueOf(v, depth + 1)) : undefined;
    return this.valueOf(values[0], depth + 1);
  }

  /** A single value of `stackId` resolved to a literal (e.g. a desired count that reads another stack's output). */
  literal(stackId: string, value: unknown): unknown {
    const values = this.resolve(stackId, value);
    return values.length === 1 ? this.valueOf(values[0]) : undefined;
  }

  /** The resources a value of `stackId` references (e.g. the ASG behind a capacity provider's `auto_scaling_group_arn`). */
  referencedResources(stackId: string, value: unknown, type?: string): ResourceRef[] {
    const refs: ResourceRef[] = [];
    for (const r of this.resolve(stackId, value)) {
      if (r.kind !== "attribute" || (type && r.address.type !== type)) continue;
      const resource = this.resource(r.address);
      if (resource && !refs.some((x) => sameAddress(x, resource))) refs.push(resource);
    }
    return refs;
  }

  /** Subnets a value of `stackId` references, with their AZs, and the parts that did not resolve to a subnet. */
  subnets(stackId: string, value: unknown): { subnets: SubnetRef[]; unresolved: string[] } {
    const subnets: SubnetRef[] = [];
    const unresolved: string[] = [];
    for (const r of this.resolve(stackId, value)) {
      const subnet = r.kind === "attribute" && r.address.type === "aws_subnet" ? this.resource(r.address) : undefined;
      const az = subnet ? this.literal(subnet.stack, subnet.body.availability_zone) : undefined;
      if (subnet && typeof az === "string") {
        if (!subnets.some((s) => sameAddress(s.address, subnet))) subnets.push({ address: { stack: subnet.stack, type: subnet.type, name: subnet.name }, az });
      } else {
        unresolved.push(r.kind === "unknown" ? r.expression : r.kind === "literal" ? String(r.value) : addressText(r.address));
      }
    }
    return { subnets, unresolved };
  }

  /** Resources of `type` (in any stack of the environment) whose attribute `attribute` references `target`. */
  referencing(type: string, attribute: string, target: ResourceAddress): ResourceRef[] {
    return this.resources(type).filter((r) => this.resolve(r.stack, r.body[attribute]).some((v) => v.kind === "attribute" && sameAddress(v.address, target)));
  }

  /** The provider region of the environment (the first `aws` provider block that names one). */
  region(): string | undefined {
    for (const stack of this.stacks) {
      for (const provider of stack.json.provider?.aws ?? []) if (typeof provider.region === "string") return provider.region;
    }
    return undefined;
  }

  /** The account ids the providers are pinned to. */
  accounts(): string[] {
    const ids: string[] = [];
    for (const stack of this.stacks) {
      for (const provider of stack.json.provider?.aws ?? []) {
        const allowed = provider.allowed_account_ids;
        if (Array.isArray(allowed)) ids.push(...allowed.filter((a): a is string => typeof a === "string"));
      }
    }
    return uniqueSorted(ids);
  }
}
