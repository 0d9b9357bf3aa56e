import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { AssetType, Fn, TerraformAsset, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { LambdaArtifact } from "../../runtime/lambda";
import { projectRoot } from "../../config/project-root";
import { constructError } from "../core/construct-error";

/** Content hashes of the bundles, computed once per synth however many environments deploy them. */
const bundleHashes = new Map<string, string>();
function bundleHash(zip: string): string {
  let hash = bundleHashes.get(zip);
  if (!hash) {
    hash = createHash("sha256").update(fs.readFileSync(zip)).digest("hex");
    bundleHashes.set(zip, hash);
  }
  return hash;
}

/** What starts the function: a schedule expression or an EventBridge event pattern. */
export type LambdaTrigger = { readonly schedule: string } | { readonly eventPattern: Readonly<Record<string, unknown>> };

export interface BundledLambdaProps {
  /** Function, rule and dead-letter queue (`<name>-dlq`) name. */
  readonly name: string;
  /** The bundle `npm run build` writes (runtime/lambda.ts). */
  readonly artifact: LambdaArtifact;
  /** Execution role of the function. */
  readonly roleArn: string;
  /** Longest an invocation may run. */
  readonly timeoutSeconds: number;
  /** Memory (and so CPU) of the function. */
  readonly memoryMb: number;
  /** Reserved concurrency: at most this many invocations at once. */
  readonly reservedConcurrency: number;
  /** Environment variables (names from runtime/lambda.ts; no secret values). */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * Private subnets and security groups, for functions that reach into the VPC.
   * @default - outside the VPC (functions that call only AWS APIs)
   */
  readonly vpc?: { readonly subnetIds: string[]; readonly securityGroupIds: string[] };
  /**
   * What invokes the function: a schedule or an event pattern (an EventBridge rule this construct creates).
   * @default - no rule: invoked directly (e.g. by a Step Functions state machine)
   */
  readonly trigger?: LambdaTrigger;
  /**
   * What the function must wait for besides its log group, e.g. its role's policy when the role is in the same stack
   * (CreateFunction checks the role's permissions).
   * @default - nothing else
   */
  readonly dependsOn?: readonly ITerraformDependable[];
  /** What the function does (function and rule description). */
  readonly description: string;
  /** Drop an event older than this instead of retrying it (a scheduled function's next run replaces it). */
  readonly maxEventAgeSeconds: number;
  /** CloudWatch Logs group of the function (created here). */
  readonly logGroupName: string;
  /** Retention of the log group. */
  readonly logRetentionDays: number;
  /** KMS key encrypting the log group. */
  readonly logsKmsKeyArn: string;
}

/**
 * A Lambda function from a bundle built at `npm run build`: the zip is a Terraform asset whose hash is the
 * function's `source_code_hash`; logs go to a KMS-encrypted group with retention; failed asynchronous invocations
 * land in an SQS dead-letter queue; invocations are capped by reserved concurrency and traced; an EventBridge rule
 * invokes it, unless something calls it directly.
 */
export class BundledLambda extends Construct {
  /** The function. */
  readonly fn: LambdaFunction;
  /** Where failed asynchronous invocations land. */
  readonly deadLetterQueue: SqsQueue;
  /** The EventBridge rule that invokes it (none for a function invoked directly). */
  readonly rule?: CloudwatchEventRule;
  /** The function's log group. */
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: BundledLambdaProps) {
    super(scope, id);
    const zip = path.join(projectRoot(), props.artifact.zipPath);
    if (!fs.existsSync(zip)) {
      throw constructError(this, `Lambda bundle ${props.artifact.zipPath} for ${props.name} does not exist; build it first with "npm run build"`);
    }
    const bundle = new TerraformAsset(this, "bundle", { path: zip, type: AssetType.FILE, assetHash: bundleHash(zip) });
    this.logGroup = new CloudwatchLogGroup(this, "logs", { name: props.logGroupName, retentionInDays: props.logRetentionDays, kmsKeyId: props.logsKmsKeyArn });
    this.deadLetterQueue = new SqsQueue(this, "dead-letters", {
      name: `${props.name}-dlq`,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 14 * 24 * 3600,
    });
    this.fn = new LambdaFunction(this, "function", {
      functionName: props.name,
      description: props.description,
      role: props.roleArn,
      runtime: props.artifact.runtime,
      handler: props.artifact.handler,
      filename: bundle.path,
      sourceCodeHash: Fn.filebase64sha256(bundle.path),
      architectures: ["x86_64"],
      timeout: props.timeoutSeconds,
      memorySize: props.memoryMb,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: { variables: { ...props.environment } },
      vpcConfig: props.vpc ? { subnetIds: props.vpc.subnetIds, securityGroupIds: props.vpc.securityGroupIds } : undefined,
      deadLetterConfig: { targetArn: this.deadLetterQueue.arn },
      tracingConfig: { mode: "Active" },
      loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
      dependsOn: [this.logGroup, ...(props.dependsOn ?? [])],
    });
    new LambdaFunctionEventInvokeConfig(this, "invoke-config", {
      functionName: this.fn.functionName,
      maximumRetryAttempts: 0,
      maximumEventAgeInSeconds: props.maxEventAgeSeconds,
    });
    if (props.trigger) this.rule = this.trigger(props, props.trigger);
  }

  /** The EventBridge rule invoking the function, added after the permission that lets it. */
  private trigger(props: BundledLambdaProps, trigger: LambdaTrigger): CloudwatchEventRule {
    const rule = new CloudwatchEventRule(this, "trigger", {
      name: props.name,
      description: props.description,
      ...("schedule" in trigger ? { scheduleExpression: trigger.schedule } : { eventPattern: JSON.stringify(trigger.eventPattern) }),
    });
    const invokePermission = new LambdaPermission(this, "invoke-permission", {
      statementId: "AllowEventBridge",
      action: "lambda:InvokeFunction",
      functionName: this.fn.functionName,
      principal: "events.amazonaws.com",
      sourceArn: rule.arn,
    });
    // EventBridge does not check the permission; events delivered before it exists fail (AIRFLOW_ORDER_EVENT_TARGET).
    new CloudwatchEventTarget(this, "target", {
      rule: rule.name,
      arn: this.fn.arn,
      retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: props.maxEventAgeSeconds },
      dependsOn: [invokePermission],
    });
    return rule;
  }
}
