import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { ArnBuilder } from "../../../../modules/core/arn";
import { kmsKeyRotation } from "../../../../modules/rule-pack/rules/kms/key-rotation";
import { EncryptionKey } from "../../../../modules/security/encryption-key";
import { check } from "../support";

describe("CKV_AWS_7 KMS key rotation", () => {
  test("Noncompliance 1: a symmetric key without rotation", () => {
    // GIVEN a default (symmetric) key with rotation unset
    const findings = check(kmsKeyRotation, (stack) => new KmsKey(stack, "key", { description: "data" }));
    // THEN it is reported
    expect(findings).toEqual([{ rule: "CKV_AWS_7", address: "aws_kms_key.key", message: "enable_key_rotation is not set; set true" }]);
  });

  test("Compliance 1: EncryptionKey rotates; asymmetric keys cannot", () => {
    // GIVEN the project's key and an asymmetric signing key
    const findings = check(kmsKeyRotation, (stack) => {
      new EncryptionKey(stack, "data", {
        alias: "airflow-dev-data",
        description: "data",
        arns: new ArnBuilder({ account: { id: "111111111111", region: "eu-west-1" } }),
      });
      new KmsKey(stack, "signing", { customerMasterKeySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY" });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});
