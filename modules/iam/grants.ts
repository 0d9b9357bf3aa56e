import { DAG_BUCKET_LAYOUT } from "../../runtime/dag-delivery";
import type { ArnBuilder } from "../core/arn";
import type { PolicyStatement } from "./policy-document";

/**
 * Permission building blocks, each scoped to exact ARNs or ARN patterns of one environment. Resource "*" appears
 * only for actions AWS does not scope to resources (listed in `UNSCOPED_ACTIONS`), with a condition where one exists.
 */

/** Session Manager's message channels (the SSM agent on a host); none of them takes a resource ARN. */
const SESSION_MANAGER_CHANNEL_ACTIONS = [
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
  "ec2messages:AcknowledgeMessage",
  "ec2messages:DeleteMessage",
  "ec2messages:FailMessage",
  "ec2messages:GetEndpoint",
  "ec2messages:GetMessages",
  "ec2messages:SendReply",
] as const;

/** Actions IAM cannot restrict to a resource ARN; a policy test allows `*` resources for these alone. */
export const UNSCOPED_ACTIONS: readonly string[] = [
  "ecr:GetAuthorizationToken",
  "ecs:DiscoverPollEndpoint",
  "ec2:DescribeTags",
  "cloudwatch:PutMetricData",
  ...SESSION_MANAGER_CHANNEL_ACTIONS,
  "ec2:CreateNetworkInterface",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeSubnets",
  "ec2:DeleteNetworkInterface",
  "ec2:AssignPrivateIpAddresses",
  "ec2:UnassignPrivateIpAddresses",
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  // Discovery of the metrics collector (ecsTaskDiscovery): list calls limited by the ecs:cluster condition, reads of
  // task definitions and instances, which IAM does not scope.
  "ecs:ListTasks",
  "ecs:ListServices",
  "ecs:DescribeTaskDefinition",
  "ec2:DescribeInstances",
];

/** Remote task logs live under this prefix of the task-log bucket (`s3://<bucket>/logs`). */
export const TASK_LOG_PREFIX = "logs";
/** The heartbeat DAG writes, reads and deletes its probe objects under this prefix. */
export const HEARTBEAT_PROBE_PREFIX = "heartbeat";

/** Condition: the KMS key is used only through `service` (e.g. s3, secretsmanager) of the environment's region. */
export const viaService = (arns: ArnBuilder, service: string) => ({
  test: "StringEquals",
  variable: "kms:ViaService",
  values: [`${service}.${arns.region}.amazonaws.com`],
});

export function pullImages(repositoryArn: string): PolicyStatement[] {
  return [
    { sid: "EcrAuthorization", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
    { sid: "PullAirflowImage", actions: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], resources: [repositoryArn] },
  ];
}

/** Create streams and write events in the log groups matching `logGroupArnPattern` (e.g. `...:log-group:/airflow/prod/*`). */
export function writeLogs(logGroupArnPattern: string): PolicyStatement[] {
  return [
    { sid: "WriteLogs", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${logGroupArnPattern}:log-stream:*`, `${logGroupArnPattern}:*`] },
  ];
}

/** Read exactly these secrets, decrypting with the data key only through Secrets Manager. */
export function readSecrets(arns: ArnBuilder, secretArns: readonly string[], dataKeyArn: string, sid = "ReadSecrets"): PolicyStatement[] {
  return [
    { sid, actions: ["secretsmanager:GetSecretValue"], resources: [...secretArns] },
    { sid: `${sid}Decrypt`, actions: ["kms:Decrypt"], resources: [dataKeyArn], conditions: [viaService(arns, "secretsmanager")] },
  ];
}

/** Airflow's Secrets Manager backend: connections and variables of this environment only. */
export function secretsBackend(arns: ArnBuilder, secretPrefix: string, dataKeyArn: string): PolicyStatement[] {
  return readSecrets(
    arns,
    ["connections", "variables"].map((kind) => arns.of("secretsmanager", `secret:${secretPrefix}/${kind}/*`)),
    dataKeyArn,
    "SecretsBackend",
  );
}

/** Read remote task logs (api-server shows them; scheduler reads them). */
export function readTaskLogs(arns: ArnBuilder, bucketArn: string, dataKeyArn: string): PolicyStatement[] {
  return [
    {
      sid: "ListTaskLogs",
      actions: ["s3:ListBucket"],
      resources: [bucketArn],
      conditions: [{ test: "StringLike", variable: "s3:prefix", values: [`${TASK_LOG_PREFIX}/*`] }],
    },
    { sid: "ReadTaskLogs", actions: ["s3:GetObject"], resources: [`${bucketArn}/${TASK_LOG_PREFIX}/*`] },
    { sid: "DecryptTaskLogs", actions: ["kms:Decrypt"], resources: [dataKeyArn], conditions: [viaService(arns, "s3")] },
  ];
}

/** Write (and read back, to append) remote task logs: workers, triggerer, dag-processor. */
export function writeTaskLogs(arns: ArnBuilder, bucketArn: string, dataKeyArn: string): PolicyStatement[] {
  return [
    ...readTaskLogs(arns, bucketArn, dataKeyArn).filter((s) => s.sid !== "DecryptTaskLogs"),
    { sid: "WriteTaskLogs", actions: ["s3:PutObject"], resources: [`${bucketArn}/${TASK_LOG_PREFIX}/*`] },
    { sid: "EncryptTaskLogs", actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: [dataKeyArn], conditions: [viaService(arns, "s3")] },
  ];
}

/** The heartbeat's bucket probe: write, read and delete under the probe prefix. */
export function heartbeatBucketProbe(bucketArn: string): PolicyStatement[] {
  return [
    { sid: "HeartbeatBucketProbe", actions: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"], resources: [`${bucketArn}/${HEARTBEAT_PROBE_PREFIX}/*`] },
  ];
}

/** Mount the DAG file system through its access points only (IAM-authorized NFS over TLS). */
export function mountDagFileSystem(fileSystemArn: string, accessPointArns: readonly string[], write = false): PolicyStatement[] {
  return [
    {
      sid: "MountDagFileSystem",
      actions: write ? ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"] : ["elasticfilesystem:ClientMount"],
      resources: [fileSystemArn],
      conditions: [{ test: "StringEquals", variable: "elasticfilesystem:AccessPointArn", values: [...accessPointArns] }],
    },
  ];
}

/**
 * What S3DagBundle does with its bundles: check the bucket (HeadBucket, which S3 authorizes as ListBucket without a
 * prefix) and list and download under the bundles' prefixes. Listing stays within `dags/` (S3DagBundle also lists
 * the level above a prefix); objects are read only under each bundle's own prefix.
 */
export function readDagBundles(arns: ArnBuilder, bucketArn: string, prefixes: readonly string[], dataKeyArn: string): PolicyStatement[] {
  if (prefixes.length === 0) return [];
  return [
    {
      sid: "ListDagBundles",
      actions: ["s3:ListBucket"],
      resources: [bucketArn],
      conditions: [{ test: "StringLikeIfExists", variable: "s3:prefix", values: [`${DAG_BUCKET_LAYOUT.bundles}/*`] }],
    },
    { sid: "ReadDagBundles", actions: ["s3:GetObject"], resources: prefixes.map((p) => `${bucketArn}/${p}/*`) },
    { sid: "DecryptDagBundles", actions: ["kms:Decrypt"], resources: [dataKeyArn], conditions: [viaService(arns, "s3")] },
  ];
}

/**
 * The sync task's read of uploaded EFS releases (`releases/<bundle>/<version>.tar.gz`). S3 answers a missing object
 * with 404 (not 403) only to a caller that may list the bucket, which tells "not uploaded" apart from "denied".
 */
export function readDagReleases(arns: ArnBuilder, bucketArn: string, dataKeyArn: string): PolicyStatement[] {
  return [
    {
      sid: "ListDagReleases",
      actions: ["s3:ListBucket"],
      resources: [bucketArn],
      conditions: [{ test: "StringLikeIfExists", variable: "s3:prefix", values: [`${DAG_BUCKET_LAYOUT.releases}/*`] }],
    },
    { sid: "ReadDagReleases", actions: ["s3:GetObject"], resources: [`${bucketArn}/${DAG_BUCKET_LAYOUT.releases}/*`] },
    { sid: "DecryptDagReleases", actions: ["kms:Decrypt"], resources: [dataKeyArn], conditions: [viaService(arns, "s3")] },
  ];
}

/** PutMetricData limited to one namespace (the only way to scope it). */
export function putMetrics(namespace: string, sid = "PutMetrics"): PolicyStatement[] {
  return [
    {
      sid,
      actions: ["cloudwatch:PutMetricData"],
      resources: ["*"],
      conditions: [{ test: "StringEquals", variable: "cloudwatch:namespace", values: [namespace] }],
    },
  ];
}

/** ECS task scale-in protection of the worker's own tasks (set through the ECS agent endpoint). */
export function taskProtection(arns: ArnBuilder, clusterName: string): PolicyStatement[] {
  return [
    { sid: "TaskScaleInProtection", actions: ["ecs:UpdateTaskProtection", "ecs:GetTaskProtection"], resources: [arns.of("ecs", `task/${clusterName}/*`)] },
  ];
}

/** What the ECS agent on a container instance needs (AmazonEC2ContainerServiceforEC2Role, scoped to the cluster). */
export function ecsAgent(arns: ArnBuilder, clusterName: string): PolicyStatement[] {
  const cluster = arns.of("ecs", `cluster/${clusterName}`);
  const instances = arns.of("ecs", `container-instance/${clusterName}/*`);
  return [
    { sid: "DiscoverEcsEndpoint", actions: ["ecs:DiscoverPollEndpoint", "ec2:DescribeTags"], resources: ["*"] },
    {
      sid: "JoinCluster",
      actions: [
        "ecs:RegisterContainerInstance",
        "ecs:DeregisterContainerInstance",
        "ecs:UpdateContainerInstancesState",
        "ecs:SubmitAttachmentStateChanges",
        "ecs:SubmitContainerStateChange",
        "ecs:SubmitTaskStateChange",
      ],
      resources: [cluster],
    },
    { sid: "AgentSession", actions: ["ecs:Poll", "ecs:StartTelemetrySession", "ecs:PutSystemLogEvents"], resources: [instances] },
    {
      sid: "TagOwnRegistration",
      actions: ["ecs:TagResource"],
      resources: [cluster, instances],
      conditions: [{ test: "StringEquals", variable: "ecs:CreateAction", values: ["RegisterContainerInstance"] }],
    },
  ];
}

/** SSM Session Manager on an instance (shell access without SSH or inbound rules). */
export function sessionManager(arns: ArnBuilder): PolicyStatement[] {
  return [
    { sid: "SsmInstanceRegistration", actions: ["ssm:UpdateInstanceInformation"], resources: [arns.of("ec2", "instance/*")] },
    {
      sid: "SessionManagerChannels",
      actions: [...SESSION_MANAGER_CHANNEL_ACTIONS],
      resources: ["*"],
    },
  ];
}

/** ENIs a VPC Lambda needs (AWSLambdaVPCAccessExecutionRole; EC2 does not scope these). */
export function lambdaVpcAccess(): PolicyStatement[] {
  return [
    {
      sid: "LambdaVpcNetworkInterfaces",
      actions: [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ],
      resources: ["*"],
    },
  ];
}

export function tracing(): PolicyStatement[] {
  return [{ sid: "XRayTracing", actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources: ["*"] }];
}

export function sendToQueue(queueArn: string, sid = "SendToDeadLetterQueue"): PolicyStatement[] {
  return [{ sid, actions: ["sqs:SendMessage"], resources: [queueArn] }];
}

/**
 * Publish to the environment's SNS topic, encrypted with its own key: the key is named by its alias (the topic's
 * name; created by the services stack after this role), used only through SNS.
 */
export function publishToTopic(arns: ArnBuilder, topicName: string, sid = "PublishNotifications"): PolicyStatement[] {
  return [
    { sid, actions: ["sns:Publish"], resources: [arns.of("sns", topicName)] },
    {
      sid: `${sid}Key`,
      actions: ["kms:GenerateDataKey", "kms:Decrypt"],
      resources: [arns.of("kms", "key/*")],
      conditions: [{ test: "ForAnyValue:StringEquals", variable: "kms:ResourceAliases", values: [`alias/${topicName}`] }, viaService(arns, "sns")],
    },
  ];
}

/** Overwrite one SSM parameter (String, no KMS), named by its full path (`/<prefix>/<env>/...`). */
export function writeParameter(arns: ArnBuilder, parameterName: string, sid = "WriteParameter"): PolicyStatement[] {
  return [{ sid, actions: ["ssm:PutParameter"], resources: [arns.of("ssm", `parameter${parameterName}`)] }];
}

/**
 * Run one task-definition family in one cluster, handing it exactly its task and execution roles (what an
 * EventBridge Scheduler ECS target needs).
 */
export function runTaskFamily(arns: ArnBuilder, clusterName: string, family: string, passRoleArns: readonly string[]): PolicyStatement[] {
  return [
    {
      sid: "RunScheduledTask",
      actions: ["ecs:RunTask"],
      resources: [arns.of("ecs", `task-definition/${family}:*`)],
      conditions: [{ test: "ArnEquals", variable: "ecs:cluster", values: [arns.of("ecs", `cluster/${clusterName}`)] }],
    },
    {
      sid: "PassScheduledTaskRoles",
      actions: ["iam:PassRole"],
      resources: [...passRoleArns],
      conditions: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["ecs-tasks.amazonaws.com"] }],
    },
  ];
}

/**
 * Turn named EventBridge Scheduler schedules off and on. UpdateSchedule replaces the whole schedule (there is no
 * enable or disable call), so the caller reads it first (GetSchedule) and hands its target's role to the scheduler
 * again: iam:PassRole on exactly those roles, to EventBridge Scheduler only.
 */
export function toggleSchedules(
  arns: ArnBuilder,
  schedules: readonly { readonly name: string; readonly group: string; readonly targetRoleArn: string }[],
  sid = "ToggleSchedules",
): PolicyStatement[] {
  if (schedules.length === 0) return [];
  return [
    {
      sid,
      actions: ["scheduler:GetSchedule", "scheduler:UpdateSchedule"],
      resources: schedules.map((s) => arns.of("scheduler", `schedule/${s.group}/${s.name}`)),
    },
    {
      sid: `${sid}PassTargetRoles`,
      actions: ["iam:PassRole"],
      resources: [...new Set(schedules.map((s) => s.targetRoleArn))],
      conditions: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["scheduler.amazonaws.com"] }],
    },
  ];
}

/**
 * What the metrics collector's `ecs_observer` reads to find the cAdvisor tasks of one cluster and their hosts' IP
 * addresses: task and service lists (condition on the cluster), the tasks, services and container instances of that
 * cluster, task definitions (their Docker labels) and EC2 instances (host-network targets resolve to the instance IP).
 */
export function ecsTaskDiscovery(arns: ArnBuilder, clusterName: string): PolicyStatement[] {
  return [
    {
      sid: "ListClusterTasks",
      actions: ["ecs:ListTasks", "ecs:ListServices"],
      resources: ["*"],
      conditions: [{ test: "ArnEquals", variable: "ecs:cluster", values: [arns.of("ecs", `cluster/${clusterName}`)] }],
    },
    {
      sid: "DescribeClusterTasks",
      actions: ["ecs:DescribeTasks", "ecs:DescribeServices", "ecs:DescribeContainerInstances"],
      resources: [arns.of("ecs", `task/${clusterName}/*`), arns.of("ecs", `service/${clusterName}/*`), arns.of("ecs", `container-instance/${clusterName}/*`)],
    },
    { sid: "DescribeTargets", actions: ["ecs:DescribeTaskDefinition", "ec2:DescribeInstances"], resources: ["*"] },
  ];
}

/** The embedded-metric-format exporter: streams and events in one log group (created in Terraform, so no CreateLogGroup). */
export function writeMetricEvents(logGroupArn: string): PolicyStatement[] {
  return [
    {
      sid: "WriteMetricEvents",
      actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
      resources: [logGroupArn, `${logGroupArn}:*`],
    },
  ];
}
