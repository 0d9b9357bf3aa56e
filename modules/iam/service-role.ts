import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { policyJson, type PolicyStatement } from "./policy-document";

export interface ServiceRoleProps {
  readonly name: string;
  readonly description: string;
  /** Trust policy JSON (see `serviceTrustPolicy`). */
  readonly assumeRolePolicy: string;
  /** The role's permissions, as one inline policy; none means the role can do nothing. */
  readonly statements?: readonly PolicyStatement[];
  /** AWS managed policies, only where a scoped inline policy cannot follow AWS's own evolving needs (CI roles). */
  readonly managedPolicyArns?: readonly string[];
  /** Create an instance profile of the same name (EC2 roles). @default false */
  readonly instanceProfile?: boolean;
  /** @default 3600 */
  readonly maxSessionSeconds?: number;
}

/** An IAM role with its trust policy, one inline policy from typed statements and, optionally, an instance profile. */
export class ServiceRole extends Construct {
  readonly role: IamRole;
  readonly profile?: IamInstanceProfile;
  readonly statements: readonly PolicyStatement[];

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);
    this.statements = props.statements ?? [];
    this.role = new IamRole(this, "role", {
      name: props.name,
      description: props.description,
      assumeRolePolicy: props.assumeRolePolicy,
      maxSessionDuration: props.maxSessionSeconds ?? 3600,
    });
    if (this.statements.length > 0) {
      new IamRolePolicy(this, "policy", { name: props.name, role: this.role.id, policy: policyJson(this.statements) });
    }
    (props.managedPolicyArns ?? []).forEach((policyArn, i) => new IamRolePolicyAttachment(this, `managed-${i}`, { role: this.role.name, policyArn }));
    if (props.instanceProfile) this.profile = new IamInstanceProfile(this, "profile", { name: props.name, role: this.role.name });
  }

  get arn(): string {
    return this.role.arn;
  }
}
