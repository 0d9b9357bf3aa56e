import { defineRule } from "../../rule";
import { block, isTrue } from "../../values";

/** Checkov CKV_AWS_163. */
export const ecrScanOnPush = defineRule({
  id: "CKV_AWS_163",
  title: "ECR scan on push",
  rationale: "Every pushed Airflow image is scanned for known CVEs before a service runs it.",
  resourceTypes: ["aws_ecr_repository"],
  check: (repo) =>
    isTrue(block(repo.get("image_scanning_configuration"))?.scan_on_push) ? undefined : "image_scanning_configuration.scan_on_push is not true",
});
