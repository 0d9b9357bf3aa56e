import { TerraformElement } from "cdktf";
import type { Construct } from "constructs";

/**
 * A Terraform `removed` block with `destroy = false` for the resource a construct at this path used to create: the
 * next apply drops it from the state and leaves the real resource running, outside Terraform. Put it where the
 * resource was (same scope and id), so its address is the one Terraform knows.
 */
export class ForgottenResource extends TerraformElement {
  constructor(
    scope: Construct,
    id: string,
    /** Terraform type of the forgotten resource, e.g. `aws_db_instance`. */
    readonly resourceType: string,
  ) {
    super(scope, id);
  }

  /** The address the resource had, e.g. `aws_db_instance.database_instance_0A1B2C3D`. */
  get address(): string {
    return `${this.resourceType}.${this.friendlyUniqueId}`;
  }

  override toTerraform(): { removed: { from: string; lifecycle: { destroy: false } }[] } {
    return { removed: [{ from: this.address, lifecycle: { destroy: false } }] };
  }
}
