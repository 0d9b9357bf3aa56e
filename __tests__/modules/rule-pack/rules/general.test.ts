import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Fn } from "cdktf";
import { renderContainerDefinitions } from "../../../../modules/ecs/container-task";
import { policyJson, serviceTrustPolicy } from "../../../../modules/iam/policy-document";
import { jsonInspectable } from "../../../../modules/rule-pack/rules/general/json-inspectable";
import { check } from "../support";

describe("AIRFLOW_JSON_INSPECTABLE policies and container definitions are inspectable JSON", () => {
  test("Noncompliance 1: jsonencode() policy and container definitions", () => {
    // GIVEN a policy and container definitions rendered by Terraform's jsonencode (Checkov's blind spot)
    const findings = check(jsonInspectable, (stack) => {
      const role = new IamRole(stack, "role", { assumeRolePolicy: serviceTrustPolicy(["ecs-tasks.amazonaws.com"], "111111111111") });
      new IamRolePolicy(stack, "policy", {
        role: role.id,
        policy: Fn.jsonencode({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }),
      });
      new EcsTaskDefinition(stack, "td", { family: "td", containerDefinitions: Fn.jsonencode([{ name: "app", privileged: true }]) });
    });
    // THEN both are reported as uninspectable
    expect(findings).toEqual([
      {
        rule: "AIRFLOW_JSON_INSPECTABLE",
        address: "aws_iam_role_policy.policy",
        message: "policy is a reference or function call (data source, jsonencode); render it with policyJson() so it can be inspected",
      },
      {
        rule: "AIRFLOW_JSON_INSPECTABLE",
        address: "aws_ecs_task_definition.td",
        message: "container_definitions is a reference or function call (jsonencode); render it with renderContainerDefinitions() so it can be inspected",
      },
    ]);
  });

  test("Noncompliance 2: malformed JSON", () => {
    // GIVEN a truncated policy document
    const findings = check(jsonInspectable, (stack) => new IamRolePolicy(stack, "policy", { role: "r", policy: '{"Statement": [' }));
    // THEN it is reported
    expect(findings.map((f) => f.message)).toEqual(["policy is not valid JSON"]);
  });

  test("Compliance 1: policyJson() and renderContainerDefinitions()", () => {
    // GIVEN the project's renderers
    const findings = check(jsonInspectable, (stack) => {
      const role = new IamRole(stack, "role", { assumeRolePolicy: serviceTrustPolicy(["ecs-tasks.amazonaws.com"], "111111111111") });
      new IamRolePolicy(stack, "policy", {
        role: role.id,
        policy: policyJson([{ sid: "Logs", actions: ["logs:PutLogEvents"], resources: ["arn:aws:logs:eu-west-1:111111111111:log-group:/a:*"] }]),
      });
      const containers = renderContainerDefinitions([{ name: "app", image: "x", user: "50000:0", readonlyRootFilesystem: true, memoryReservation: 128 }], {
        group: "/a",
        region: "eu-west-1",
        streamPrefix: "a",
      });
      new EcsTaskDefinition(stack, "td", { family: "td", containerDefinitions: containers });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});
