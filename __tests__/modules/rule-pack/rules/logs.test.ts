import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { logGroupKms } from "../../../../modules/rule-pack/rules/logs/log-group-kms";
import { logGroupRetention } from "../../../../modules/rule-pack/rules/logs/log-group-retention";
import { check } from "../support";

describe("CKV_AWS_66 log groups have a retention", () => {
  test("Noncompliance 1: unset and never-expire", () => {
    // GIVEN a group without retention and one with 0 (never expire)
    const findings = check(logGroupRetention, (stack) => {
      new CloudwatchLogGroup(stack, "unset", { name: "/a" });
      new CloudwatchLogGroup(stack, "forever", { name: "/b", retentionInDays: 0 });
    });
    // THEN both are reported
    expect(findings).toEqual([
      { rule: "CKV_AWS_66", address: "aws_cloudwatch_log_group.unset", message: "retention_in_days is not set; set a retention" },
      { rule: "CKV_AWS_66", address: "aws_cloudwatch_log_group.forever", message: "retention_in_days is 0; set a retention" },
    ]);
  });

  test("Compliance 1: 14 days", () => {
    // GIVEN a retention
    // THEN nothing is reported
    expect(check(logGroupRetention, (stack) => new CloudwatchLogGroup(stack, "logs", { name: "/a", retentionInDays: 14 }))).toEqual([]);
  });
});

describe("CKV_AWS_158 log groups encrypted with KMS", () => {
  test("Noncompliance 1: no key", () => {
    // GIVEN a group without kms_key_id
    // THEN it is reported
    expect(check(logGroupKms, (stack) => new CloudwatchLogGroup(stack, "logs", { name: "/a", retentionInDays: 14 }))).toEqual([
      { rule: "CKV_AWS_158", address: "aws_cloudwatch_log_group.logs", message: "kms_key_id is not set" },
    ]);
  });

  test("Compliance 1: the environment's logs key", () => {
    // GIVEN kms_key_id set
    const findings = check(
      logGroupKms,
      (stack) => new CloudwatchLogGroup(stack, "logs", { name: "/a", retentionInDays: 14, kmsKeyId: "arn:aws:kms:eu-west-1:111111111111:key/1" }),
    );
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});
