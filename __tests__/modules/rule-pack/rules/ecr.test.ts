import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { ImageRepository } from "../../../../modules/compute/image-repository";
import { ecrImmutableTags } from "../../../../modules/rule-pack/rules/ecr/immutable-tags";
import { ecrScanOnPush } from "../../../../modules/rule-pack/rules/ecr/scan-on-push";
import { check } from "../support";

describe("CKV_AWS_163 ECR scan on push", () => {
  test("Noncompliance 1: no scanning configuration", () => {
    // GIVEN a bare repository
    // THEN it is reported
    expect(check(ecrScanOnPush, (stack) => new EcrRepository(stack, "repo", { name: "airflow" }))).toEqual([
      { rule: "CKV_AWS_163", address: "aws_ecr_repository.repo", message: "image_scanning_configuration.scan_on_push is not true" },
    ]);
  });

  test("Compliance 1: ImageRepository scans on push", () => {
    // GIVEN the project's repository
    // THEN nothing is reported
    expect(check(ecrScanOnPush, (stack) => new ImageRepository(stack, "images", { name: "airflow-dev-airflow" }))).toEqual([]);
  });
});

describe("CKV_AWS_51 ECR tags immutable", () => {
  test("Noncompliance 1: mutable tags", () => {
    // GIVEN image_tag_mutability = MUTABLE
    const findings = check(ecrImmutableTags, (stack) => new EcrRepository(stack, "repo", { name: "airflow", imageTagMutability: "MUTABLE" }));
    // THEN it is reported
    expect(findings).toEqual([{ rule: "CKV_AWS_51", address: "aws_ecr_repository.repo", message: 'image_tag_mutability is "MUTABLE"; set "IMMUTABLE"' }]);
  });

  test("Compliance 1: ImageRepository's immutable tags", () => {
    // GIVEN the project's repository
    // THEN nothing is reported
    expect(check(ecrImmutableTags, (stack) => new ImageRepository(stack, "images", { name: "airflow-dev-airflow" }))).toEqual([]);
  });
});
