import { defineRule } from "../../rule";
import { isTrue, literalString, show } from "../../values";

/** Checkov CKV_AWS_7 (cdk-nag AwsSolutions-KMS5, Trivy AVD-AWS-0065). */
export const kmsKeyRotation = defineRule({
  id: "CKV_AWS_7",
  aliases: ["AwsSolutions-KMS5", "AVD-AWS-0065"],
  title: "KMS key rotation",
  rationale: "Yearly rotation limits how much data one key version protects, at no cost to readers.",
  resourceTypes: ["aws_kms_key"],
  check: (key) => {
    const spec = literalString(key.get("customer_master_key_spec")) ?? "SYMMETRIC_DEFAULT";
    if (spec !== "SYMMETRIC_DEFAULT") return undefined; // asymmetric and HMAC keys cannot rotate
    return isTrue(key.get("enable_key_rotation")) ? undefined : `enable_key_rotation is ${show(key.get("enable_key_rotation"))}; set true`;
  },
});
