import { LambdaFunction, type LambdaFunctionConfig } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import type { TerraformStack } from "cdktf";
import { lambdaDeadLetter } from "../../../../modules/rule-pack/rules/lambda/dead-letter";
import { lambdaInVpc } from "../../../../modules/rule-pack/rules/lambda/in-vpc";
import { lambdaNoSecretEnvironment } from "../../../../modules/rule-pack/rules/lambda/no-secret-environment";
import { lambdaReservedConcurrency } from "../../../../modules/rule-pack/rules/lambda/reserved-concurrency";
import { check } from "../support";

const bare: LambdaFunctionConfig = {
  functionName: "airflow-dev-publisher",
  role: "arn:aws:iam::111111111111:role/publisher",
  runtime: "nodejs20.x",
  handler: "index.handler",
  filename: "bundle.zip",
};
/** The queue-depth publisher as the operations module builds it. */
function publisher(stack: TerraformStack) {
  const dlq = new SqsQueue(stack, "dlq", { name: "airflow-dev-publisher-dlq", sqsManagedSseEnabled: true });
  return new LambdaFunction(stack, "fn", {
    ...bare,
    reservedConcurrentExecutions: 1,
    vpcConfig: { subnetIds: ["subnet-1", "subnet-2"], securityGroupIds: ["sg-1"] },
    deadLetterConfig: { targetArn: dlq.arn },
    environment: {
      variables: { AIRFLOW_ECS_DB_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:rds!db", AIRFLOW_ECS_DB_HOST: "db.internal" },
    },
  });
}

describe("CKV_AWS_117 Lambda in a VPC", () => {
  test("Noncompliance 1: no vpc_config", () => {
    // GIVEN a function outside the VPC
    // THEN it is reported
    expect(check(lambdaInVpc, (stack) => new LambdaFunction(stack, "fn", bare))).toEqual([
      { rule: "CKV_AWS_117", address: "aws_lambda_function.fn", message: "the function runs outside the VPC (no vpc_config)" },
    ]);
  });

  test("Noncompliance 2: a vpc_config without security groups", () => {
    // GIVEN subnets but no security group
    const findings = check(lambdaInVpc, (stack) => new LambdaFunction(stack, "fn", { ...bare, vpcConfig: { subnetIds: ["subnet-1"], securityGroupIds: [] } }));
    // THEN it is reported
    expect(findings.map((f) => f.message)).toEqual(["vpc_config names no security group"]);
  });

  test("Compliance 1: private subnets and a security group", () => {
    // GIVEN the publisher
    // THEN nothing is reported
    expect(check(lambdaInVpc, publisher)).toEqual([]);
  });
});

describe("CKV_AWS_115 Lambda reserved concurrency", () => {
  test("Noncompliance 1: unreserved (unset and -1)", () => {
    // GIVEN two functions without a reservation
    const findings = check(lambdaReservedConcurrency, (stack) => {
      new LambdaFunction(stack, "unset", bare);
      new LambdaFunction(stack, "unreserved", { ...bare, functionName: "x", reservedConcurrentExecutions: -1 });
    });
    // THEN both are reported
    expect(findings).toEqual([
      { rule: "CKV_AWS_115", address: "aws_lambda_function.unset", message: "reserved_concurrent_executions is not set; set a small explicit limit" },
      { rule: "CKV_AWS_115", address: "aws_lambda_function.unreserved", message: "reserved_concurrent_executions is -1; set a small explicit limit" },
    ]);
  });

  test("Compliance 1: reserved concurrency 1", () => {
    // GIVEN the publisher
    // THEN nothing is reported
    expect(check(lambdaReservedConcurrency, publisher)).toEqual([]);
  });
});

describe("CKV_AWS_116 Lambda dead-letter queue or on-failure destination", () => {
  test("Noncompliance 1: neither", () => {
    // GIVEN a function with an invoke config that only limits retries
    const findings = check(lambdaDeadLetter, (stack) => {
      const fn = new LambdaFunction(stack, "fn", bare);
      new LambdaFunctionEventInvokeConfig(stack, "invoke", { functionName: fn.functionName, maximumRetryAttempts: 0 });
    });
    // THEN it is reported
    expect(findings).toEqual([
      {
        rule: "CKV_AWS_116",
        address: "aws_lambda_function.fn",
        message: "neither dead_letter_config.target_arn nor an on-failure destination (aws_lambda_function_event_invoke_config) is set",
      },
    ]);
  });

  test("Compliance 1: a dead-letter queue", () => {
    // GIVEN the publisher and its SQS dead-letter queue
    // THEN nothing is reported
    expect(check(lambdaDeadLetter, publisher)).toEqual([]);
  });

  test("Compliance 2: an on-failure destination, by reference or by function name", () => {
    // GIVEN two functions whose invoke configs send failures to a queue
    const findings = check(lambdaDeadLetter, (stack) => {
      const a = new LambdaFunction(stack, "a", { ...bare, functionName: "fn-a" });
      new LambdaFunction(stack, "b", { ...bare, functionName: "fn-b" });
      const onFailure = { onFailure: { destination: "arn:aws:sqs:eu-west-1:111111111111:failures" } };
      new LambdaFunctionEventInvokeConfig(stack, "invoke-a", { functionName: a.functionName, destinationConfig: onFailure });
      new LambdaFunctionEventInvokeConfig(stack, "invoke-b", { functionName: "fn-b", destinationConfig: onFailure });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("CKV_AWS_45 no secrets in Lambda environment variables", () => {
  test("Noncompliance 1: a password variable and an access key value", () => {
    // GIVEN secret-looking variables
    const findings = check(
      lambdaNoSecretEnvironment,
      (stack) => new LambdaFunction(stack, "fn", { ...bare, environment: { variables: { DB_PASSWORD: "x", UPLOAD_KEY_OWNER: "AKIAABCDEFGHIJKLMNOP" } } }),
    );
    // THEN both are reported
    expect(findings).toEqual([
      {
        rule: "CKV_AWS_45",
        address: "aws_lambda_function.fn",
        message: "environment variable DB_PASSWORD looks secret; pass a secret ARN and read it at runtime",
      },
      { rule: "CKV_AWS_45", address: "aws_lambda_function.fn", message: "environment variable UPLOAD_KEY_OWNER contains an AWS access key id" },
    ]);
  });

  test("Compliance 1: a secret ARN and plain settings", () => {
    // GIVEN the publisher's environment
    // THEN nothing is reported
    expect(check(lambdaNoSecretEnvironment, publisher)).toEqual([]);
  });
});
