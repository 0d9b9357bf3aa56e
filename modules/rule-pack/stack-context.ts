import { DefaultTokenResolver, StringConcat, Token, Tokenization, type TerraformStack } from "cdktf";
import type { EnvironmentInfo } from "./environment";
import type { ResourceView } from "./resource-view";

const RESOLVER = new DefaultTokenResolver(new StringConcat());
/**
 * An address inside a resolved expression: `aws_s3_bucket.alb-logs_bucket_B3B3737C` in
 * `${aws_s3_bucket.alb-logs_bucket_B3B3737C.id}`, `data.terraform_remote_state.storage_contract` in its outputs.
 */
const ADDRESS = /\b((?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)/g;

/** The `${…}` expressions of a rendered string (escaped `$${` is literal text), nested braces included. */
function expressionsIn(text: string): string[] {
  const found: string[] = [];
  for (let start = text.indexOf("${"); start >= 0; start = text.indexOf("${", start + 2)) {
    if (start > 0 && text[start - 1] === "$") continue;
    let depth = 0;
    let end = start + 1;
    for (; end < text.length; end++) {
      if (text[end] === "{") depth++;
      else if (text[end] === "}" && --depth === 0) break;
    }
    found.push(text.slice(start + 2, end));
  }
  return found;
}

/**
 * One stack under evaluation: its environment, its inspected resources indexed by type once, and reference lookups
 * for companion checks (a bucket's public-access block, a VPC's flow log). Only the few attribute values that link
 * companions are ever resolved, one token at a time; everything else is read unresolved.
 */
export class StackContext {
  /** Stack id, e.g. `prod-storage`. */
  readonly stackId: string;
  /** Production rules apply: the environment is production, or the stack belongs to no environment. */
  readonly production: boolean;
  private readonly byType = new Map<string, ResourceView[]>();
  private readonly byAddress = new Map<string, ResourceView>();
  private readonly indexes = new Map<string, Map<string, ResourceView[]>>();
  private readonly resolved = new Map<string, unknown>();

  constructor(
    readonly stack: TerraformStack,
    readonly environment: EnvironmentInfo | undefined,
    resources: readonly ResourceView[],
  ) {
    this.stackId = stack.node.id;
    this.production = environment?.production ?? true;
    for (const r of resources) {
      const list = this.byType.get(r.type);
      if (list) list.push(r);
      else this.byType.set(r.type, [r]);
      this.byAddress.set(r.address, r);
    }
  }

  /** Inspected resources of one type in this stack. */
  resources(type: string): readonly ResourceView[] {
    return this.byType.get(type) ?? [];
  }

  /** The value with its tokens resolved as this stack's synth would render them (`${aws_vpc.vpc_6776A399.id}`). */
  resolve(value: unknown): unknown {
    if (!Token.isUnresolved(value)) return value;
    if (typeof value !== "string") return Tokenization.resolve(value, { scope: this.stack, resolver: RESOLVER, preparing: false });
    if (!this.resolved.has(value)) this.resolved.set(value, Tokenization.resolve(value, { scope: this.stack, resolver: RESOLVER, preparing: false }));
    return this.resolved.get(value);
  }

  /** Inspected resources of this stack that a value refers to (`${type.name...}` expressions). */
  referencedResources(value: unknown): ResourceView[] {
    const out: ResourceView[] = [];
    const visit = (v: unknown): void => {
      if (typeof v === "string") {
        const text = this.resolve(v);
        if (typeof text !== "string") return visit(text);
        for (const m of text.matchAll(ADDRESS)) {
          const found = this.byAddress.get(`${m[1]}.${m[2]}`);
          if (found && !out.includes(found)) out.push(found);
        }
      } else if (Array.isArray(v)) v.forEach(visit);
      else if (Token.isUnresolved(v)) visit(this.resolve(v));
    };
    visit(value);
    return out;
  }

  /**
   * Addresses a value refers to inside Terraform expressions (`${aws_s3_bucket_policy.logs.id}` refers to
   * `aws_s3_bucket_policy.logs`), walking lists, nested blocks and tokens. Literal text outside `${…}` never counts:
   * only an expression makes Terraform order one resource after another.
   */
  expressionReferences(value: unknown): ReadonlySet<string> {
    const out = new Set<string>();
    const visit = (v: unknown): void => {
      if (v === undefined || v === null) return;
      if (typeof v === "string") {
        const text = this.resolve(v);
        if (typeof text !== "string") return visit(text);
        for (const expression of expressionsIn(text)) for (const m of expression.matchAll(ADDRESS)) out.add(`${m[1]}.${m[2]}`);
      } else if (Array.isArray(v)) v.forEach(visit);
      else if (Token.isUnresolved(v)) visit(this.resolve(v));
      else if (typeof v === "object") Object.values(v).forEach(visit);
    };
    visit(value);
    return out;
  }

  /** Addresses a resource lists in `depends_on` (explicit dependencies); computed once per resource. */
  explicitDependencies(resource: ResourceView): ReadonlySet<string> {
    return resource.cached("explicit-dependencies", () => {
      const found = new Set<string>();
      for (const entry of resource.dependsOn) {
        const text = this.resolve(entry);
        if (typeof text !== "string") continue;
        for (const m of text.matchAll(ADDRESS)) found.add(`${m[1]}.${m[2]}`);
      }
      return found;
    });
  }

  /** Addresses a resource's attributes refer to (implicit dependencies); computed once per resource. */
  implicitDependencies(resource: ResourceView): ReadonlySet<string> {
    return resource.cached("implicit-dependencies", () => {
      const { depends_on: _explicit, ...attributes } = resource.attrs;
      return this.expressionReferences(attributes);
    });
  }

  /**
   * Whether `resource` waits for `target` in `terraform apply`: it lists it in `depends_on` (explicit) or refers to it
   * in an expression (implicit). Direct dependencies only. The explicit list is read first: it is short, while the
   * implicit one resolves every attribute (container definitions included).
   */
  dependsOn(resource: ResourceView, target: ResourceView): boolean {
    return this.explicitDependencies(resource).has(target.address) || this.implicitDependencies(resource).has(target.address);
  }

  /** The resource of `type` a value refers to, if it is in this stack. */
  referenced(type: string, value: unknown): ResourceView | undefined {
    return this.referencedResources(value).find((r) => r.type === type);
  }

  /**
   * Resources of `type` whose `attribute` refers to `target`: by reference (`${aws_s3_bucket.x.id}`) or by the literal
   * value of one of the target's `nameAttributes` (e.g. the bucket name). Indexed once per type and attribute.
   */
  referrers(type: string, attribute: string, target: ResourceView, nameAttributes: readonly string[] = []): readonly ResourceView[] {
    const key = `${type}\u0000${attribute}`;
    let index = this.indexes.get(key);
    if (!index) {
      index = new Map();
      for (const r of this.resources(type)) {
        const value = r.get(attribute);
        const keys = typeof value === "string" && !Token.isUnresolved(value) ? [`=${value}`] : this.referencedResources(value).map((t) => t.address);
        for (const k of keys) index.set(k, [...(index.get(k) ?? []), r]);
      }
      this.indexes.set(key, index);
    }
    const found = [...(index.get(target.address) ?? [])];
    for (const name of nameAttributes) {
      const literal = target.get(name);
      if (typeof literal === "string" && !Token.isUnresolved(literal)) {
        for (const r of index.get(`=${literal}`) ?? []) if (!found.includes(r)) found.push(r);
      }
    }
    return found;
  }
}
