import type { Suppression } from "./suppression";

/**
 * The accepted findings of this repository, each with its reason. `renderSuppressionsMarkdown()` renders this list for
 * the README's security section; a suppression that matches no finding in a stack it names is reported as stale.
 * Construct paths are relative to the stack (`Testing.renderConstructTree` or the finding's message shows them).
 */
export const SUPPRESSIONS: readonly Suppression[] = [
  {
    rule: "CKV_AWS_145",
    stacks: "*-storage",
    resource: "alb-logs/bucket",
    reason: "ALB access-log delivery cannot write to SSE-KMS buckets (aws/aws-cdk#21947); the bucket uses SSE-S3, blocks public access and holds no secrets.",
  },
  {
    rule: "CKV_AWS_145",
    stacks: "*-storage",
    resource: "s3-access-logs/bucket",
    reason: "S3 server access logging can only deliver to SSE-S3 target buckets; the bucket holds request logs only.",
  },
  {
    rule: "CKV_AWS_145",
    stacks: "bootstrap-*",
    resource: "access-logs/bucket",
    reason: "S3 server access logging can only deliver to SSE-S3 target buckets; the bucket holds the state bucket's request logs only.",
  },
  {
    rule: "CKV_AWS_18",
    stacks: "*-storage",
    resource: "s3-access-logs/bucket",
    reason: "It is the access-log target of the environment's buckets; logging it to itself would loop and to another bucket only moves the problem.",
  },
  {
    rule: "CKV_AWS_18",
    stacks: "bootstrap-*",
    resource: "access-logs/bucket",
    reason: "It is the access-log target of the state bucket; logging it to itself would loop and to another bucket only moves the problem.",
  },
  {
    rule: "AwsSolutions-IAM4",
    stacks: "*-iam",
    resource: "ci/plan/managed-0",
    reason:
      "The CI plan role needs read access to every resource type Terraform refreshes; AWS ReadOnlyAccess tracks new services, a scoped copy would break plans. It is assumable only from pull requests of the configured repository.",
  },
  {
    rule: "AwsSolutions-IAM4",
    stacks: "*-iam",
    resource: "ci/apply/managed-0",
    reason:
      "The CI apply role deploys every service the stacks use; PowerUserAccess (no IAM) tracks new services, and IAM rights come from the inline policy limited to the environment's own roles. It is assumable only from the repository's GitHub environment of the same name, which carries the approval rules.",
  },
  {
    rule: "CKV_AWS_334",
    stacks: "*-services",
    resource: "cadvisor/task/definition",
    reason:
      "cAdvisor reads host cgroups, /dev/kmsg and the Docker state to report per-container metrics; it needs privileged mode, mounts every host path read-only and is reachable from the VPC only.",
  },
  {
    rule: "AIRFLOW_ECS_NON_ROOT_USER",
    stacks: "*-services",
    resource: "cadvisor/task/definition",
    reason:
      "cAdvisor must run as root to read host cgroups and devices; its root filesystem and host mounts are read-only and its task role grants no AWS API.",
  },
  {
    rule: "CKV_AWS_2",
    stacks: ["dev-services", "test-services", "uat-services"],
    resource: "alb/http",
    reason:
      "These environments configure no ACM certificate: their ALB is internal, reachable from 10.0.0.0/8 only, and serves plain HTTP. Config validation requires a certificate (HTTPS plus redirect) in production; remove the stack from this list once its environment gets a certificate.",
  },
  {
    rule: "CKV_AWS_117",
    stacks: "*-services",
    resource: "operations/service-redeployer/function",
    reason:
      "The redeployer calls only the ECS API (DescribeServices/UpdateService on this environment's services) and reaches nothing inside the VPC; outside it, it needs no ENIs, NAT path or endpoints. The publisher, which talks to the database, runs in the VPC.",
  },
  {
    rule: "CKV_AWS_117",
    stacks: ["dev-services"],
    resource: "hibernation/steps/function",
    reason:
      "The hibernation steps call only AWS APIs (ECS, Application Auto Scaling, Auto Scaling, RDS, ElastiCache, CloudWatch, SSM, EventBridge Scheduler) on this environment's resources and reach nothing inside the VPC; in it, they would need the NAT path or endpoints, and would keep working only as long as the VPC does. Listed per stack: only environments with `hibernation` have the function.",
  },
];
