import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import type { ArnBuilder } from "../core/arn";
import { policyJson, type PolicyStatement } from "../iam/policy-document";

export interface EncryptionKeyProps {
  /** Alias without the `alias/` prefix, e.g. `airflow-prod-logs`. */
  readonly alias: string;
  /** What the key encrypts. */
  readonly description: string;
  /** ARNs of the environment's account (the key policy's administrator). */
  readonly arns: ArnBuilder;
  /**
   * Statements granting AWS services use of the key (the account root always administers it through IAM).
   * @default - none
   */
  readonly serviceGrants?: readonly PolicyStatement[];
  /**
   * Days before a scheduled deletion takes effect.
   * @default 30
   */
  readonly deletionWindowDays?: number;
}

/** A customer-managed KMS key with yearly rotation, an explicit key policy and an alias. */
export class EncryptionKey extends Construct {
  /** The key. */
  readonly key: KmsKey;
  /** Its alias, `alias/<alias>`. */
  readonly alias: KmsAlias;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    const policy = policyJson([
      {
        // The AWS default key policy: the account administers the key, IAM policies grant its use.
        sid: "AccountAdministersKey",
        actions: ["kms:*"],
        resources: ["*"],
        principals: [{ type: "AWS", identifiers: [props.arns.root] }],
      },
      ...(props.serviceGrants ?? []),
    ]);
    this.key = new KmsKey(this, "key", {
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowDays ?? 30,
      policy,
    });
    this.alias = new KmsAlias(this, "alias", { name: `alias/${props.alias}`, targetKeyId: this.key.keyId });
  }

  get arn(): string {
    return this.key.arn;
  }
}
