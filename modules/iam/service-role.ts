import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { constructError } from "../core/construct-error";
import { policyJson, type PolicyStatement } from "./policy-document";

export interface ServiceRoleProps {
  /** Role name (and inline policy and instance profile name), e.g. `airflow-prod-scheduler-task`. */
  readonly name: string;
  /** What the role is for, shown in the IAM console. */
  readonly description: string;
  /** Trust policy JSON (see `serviceTrustPolicy`). */
  readonly assumeRolePolicy: string;
  /**
   * The role's permissions, as one inline policy.
   * @default - none: the role can do nothing
   */
  readonly statements?: readonly PolicyStatement[];
  /**
   * Managed policies: AWS managed ones only where a scoped inline policy cannot follow AWS's own evolving needs (CI
   * roles); customer managed ones an environment file attaches to a worker pool's role.
   * @default - none
   */
  readonly managedPolicyArns?: readonly string[];
  /**
   * Create an instance profile of the same name (EC2 roles).
   * @default false
   */
  readonly instanceProfile?: boolean;
  /**
   * Longest session an assumer can request, in seconds.
   * @default 3600
   */
  readonly maxSessionSeconds?: number;
}

/** An IAM role with its trust policy, one inline policy from typed statements and, optionally, an instance profile. */
export class ServiceRole extends Construct {
  /** The IAM role. */
  readonly role: IamRole;
  /** The instance profile, when `instanceProfile` is set. */
  readonly profile?: IamInstanceProfile;
  /** The inline policy (none when the role can do nothing): what a resource in the same stack waits for before using the role. */
  readonly policy?: IamRolePolicy;
  /** The statements of the inline policy (empty when the role can do nothing). */
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
      this.policy = new IamRolePolicy(this, "policy", { name: props.name, role: this.role.id, policy: policyJson(this.statements) });
    }
    (props.managedPolicyArns ?? []).forEach((policyArn, i) => new IamRolePolicyAttachment(this, `managed-${i}`, { role: this.role.name, policyArn }));
    if (props.instanceProfile) this.profile = new IamInstanceProfile(this, "profile", { name: props.name, role: this.role.name });
  }

  get arn(): string {
    return this.role.arn;
  }

  /** ARN of the role's instance profile; only roles created with `instanceProfile` have one. */
  get instanceProfileArn(): string {
    if (!this.profile) throw constructError(this, "this role has no instance profile (create it with instanceProfile: true)");
    return this.profile.arn;
  }
}
