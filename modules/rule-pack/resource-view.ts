import { TerraformDataSource, TerraformProvider, TerraformRemoteState, TerraformResource, type TerraformElement } from "cdktf";
import type { IConstruct } from "constructs";
import type { Attributes } from "./values";

/** Rule type of the AWS provider block. */
export const PROVIDER_PREFIX = "provider.";

interface Synthesizable {
  synthesizeAttributes(): Record<string, unknown>;
}

/** The marker cdktf's (unexported) TerraformDynamicBlock carries, as its `isTerraformDynamicBlock` checks. */
const DYNAMIC_BLOCK = Symbol.for("cdktf/TerraformDynamicBlock");

/** Whether an attribute tree holds a dynamic block (`toTerraform()` moves those under `dynamic`). */
function hasDynamicBlock(attributes: Record<string, unknown>): boolean {
  for (const value of Object.values(attributes)) {
    if (value !== null && typeof value === "object" && DYNAMIC_BLOCK in value) return true;
    if (value !== null && typeof value === "object" && value.constructor === Object && hasDynamicBlock(value as Record<string, unknown>)) return true;
  }
  return false;
}

/** Whether `addOverride` changed the element (its metadata lists the overridden keys). */
const hasOverrides = (element: TerraformElement) => (element.toMetadata() as { overrides?: unknown }).overrides !== undefined;

/**
 * One resource (or provider block, or data source) as the rules see it: its Terraform type and address, its
 * construct path inside the stack, and its synthesized attributes, computed once and shared by every rule (tokens
 * left unresolved). Decoded JSON strings are memoized on the view too.
 *
 * Attributes come from the element's `synthesizeAttributes()` (snake_case, what `toTerraform()` starts from, a third
 * of its cost); elements with overrides (`addOverride`) or dynamic blocks go through the full `toTerraform()` so the
 * rules see exactly what is synthesized. Meta-arguments (count, depends_on, lifecycle, provider) are not attributes.
 */
export class ResourceView {
  private attributes?: Attributes;
  private relativePath?: string;
  private readonly memo = new Map<string, unknown>();

  private constructor(
    readonly element: TerraformElement,
    /** Terraform type (`aws_s3_bucket`, `terraform_remote_state`), or `provider.<name>`. */
    readonly type: string,
    /** Logical id (the name in the address). */
    readonly logicalId: string,
    /** `aws_s3_bucket.alb-logs_bucket_B3B3737C`, `data.terraform_remote_state.storage_contract`, `provider.aws`. */
    readonly address: string,
    private readonly stackPath: string,
  ) {}

  /** Construct path below the stack, e.g. `alb-logs/bucket`. */
  get path(): string {
    this.relativePath ??= this.element.node.path.slice(this.stackPath.length + 1);
    return this.relativePath;
  }

  /** The view of a resource, provider or data source node; undefined for other constructs or types not asked for. */
  static of(node: IConstruct, stackPath: string, wanted: ReadonlySet<string>): ResourceView | undefined {
    // Resources, providers and data sources carry their Terraform type; remote states and other constructs do not.
    const tfType = (node as { terraformResourceType?: unknown }).terraformResourceType;
    if (typeof tfType !== "string") {
      if (!(node instanceof TerraformRemoteState) || !wanted.has(TerraformRemoteState.tfResourceType)) return undefined;
      const id = node.friendlyUniqueId;
      return new ResourceView(node, TerraformRemoteState.tfResourceType, id, `data.${TerraformRemoteState.tfResourceType}.${id}`, stackPath);
    }
    if (TerraformResource.isTerraformResource(node)) {
      if (!wanted.has(tfType)) return undefined;
      const id = node.friendlyUniqueId;
      return new ResourceView(node, tfType, id, `${tfType}.${id}`, stackPath);
    }
    if (TerraformProvider.isTerraformProvider(node)) {
      const type = `${PROVIDER_PREFIX}${tfType}`;
      if (!wanted.has(type)) return undefined;
      return new ResourceView(node, type, node.alias ?? "default", node.alias ? `${type}.${node.alias}` : type, stackPath);
    }
    if (node instanceof TerraformDataSource && wanted.has(tfType)) {
      const id = node.friendlyUniqueId;
      return new ResourceView(node, tfType, id, `data.${tfType}.${id}`, stackPath);
    }
    return undefined;
  }

  /** Synthesized attributes (snake_case keys, unresolved tokens), computed on first use. */
  get attrs(): Attributes {
    if (!this.attributes) {
      const synthesizable = this.element as unknown as Partial<Synthesizable>;
      if (!(this.element instanceof TerraformRemoteState) && typeof synthesizable.synthesizeAttributes === "function" && !hasOverrides(this.element)) {
        const attributes = synthesizable.synthesizeAttributes();
        if (!hasDynamicBlock(attributes)) {
          this.attributes = attributes;
          return attributes;
        }
      }
      const tf = this.element.toTerraform() as {
        resource?: Record<string, Record<string, Attributes>>;
        data?: Record<string, Record<string, Attributes>>;
        provider?: Record<string, Attributes[]>;
      };
      this.attributes =
        tf.resource?.[this.type]?.[this.logicalId] ??
        tf.data?.[this.type]?.[this.logicalId] ??
        tf.provider?.[this.type.slice(PROVIDER_PREFIX.length)]?.[0] ??
        {};
    }
    return this.attributes;
  }

  get(attribute: string): unknown {
    return this.attrs[attribute];
  }

  /**
   * The `depends_on` entries as cdktf renders them: tokens that resolve to addresses (`StackContext.dependencies`
   * resolves them). A meta-argument, so not in `attrs` unless the element synthesized through `toTerraform()`.
   */
  get dependsOn(): readonly string[] {
    const synthesized = this.attrs.depends_on;
    if (Array.isArray(synthesized)) return synthesized.filter((d): d is string => typeof d === "string");
    const declared = (this.element as { dependsOn?: unknown }).dependsOn;
    return Array.isArray(declared) ? declared.filter((d): d is string => typeof d === "string") : [];
  }

  /** Computes a derived value once per view (decoded JSON, for example) and shares it between rules. */
  cached<T>(key: string, compute: () => T): T {
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = compute();
    this.memo.set(key, value);
    return value;
  }
}
