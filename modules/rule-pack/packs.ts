import type { PolicyRule } from "./rule";
import { ecrImmutableTags } from "./rules/ecr/immutable-tags";
import { ecrScanOnPush } from "./rules/ecr/scan-on-push";
import { ebsEncrypted } from "./rules/ec2/ebs-encrypted";
import { imdsHopLimit } from "./rules/ec2/imds-hop-limit";
import { imdsv2Required } from "./rules/ec2/imdsv2-required";
import { noPublicIp } from "./rules/ec2/no-public-ip";
import { clusterContainerInsights } from "./rules/ecs/cluster-container-insights";
import { serviceNoPublicIp } from "./rules/ecs/service-no-public-ip";
import { taskAwslogs } from "./rules/ecs/task-awslogs";
import { taskEfsEncryption } from "./rules/ecs/task-efs-encryption";
import { taskNoSecretEnvironment } from "./rules/ecs/task-no-secret-environment";
import { taskNonRootUser } from "./rules/ecs/task-non-root-user";
import { taskNotPrivileged } from "./rules/ecs/task-not-privileged";
import { taskReadonlyRoot } from "./rules/ecs/task-readonly-root";
import { taskSeparateRoles } from "./rules/ecs/task-separate-roles";
import { efsAccessPointPosixUser } from "./rules/efs/access-point-posix-user";
import { efsAccessPointRootDirectory } from "./rules/efs/access-point-root-directory";
import { efsBackupPolicy } from "./rules/efs/backup-policy";
import { efsEncrypted } from "./rules/efs/encrypted";
import { redisAtRestEncryption } from "./rules/elasticache/at-rest-encryption";
import { redisAuth } from "./rules/elasticache/auth";
import { redisInTransitEncryption } from "./rules/elasticache/in-transit-encryption";
import { redisMultiAz } from "./rules/elasticache/multi-az";
import { albDropInvalidHeaders } from "./rules/elbv2/alb-drop-invalid-headers";
import { lbAccessLogs } from "./rules/elbv2/lb-access-logs";
import { lbDeletionProtection } from "./rules/elbv2/lb-deletion-protection";
import { listenerHttps } from "./rules/elbv2/listener-https";
import { listenerTlsPolicy } from "./rules/elbv2/listener-tls-policy";
import { jsonInspectable } from "./rules/general/json-inspectable";
import { noAwsManagedPolicies } from "./rules/iam/no-aws-managed-policies";
import { noStarResource } from "./rules/iam/no-star-resource";
import { noWildcardActions } from "./rules/iam/no-wildcard-actions";
import { ownSecretsOnly } from "./rules/iam/own-secrets-only";
import { passRoleScoped } from "./rules/iam/passrole-scoped";
import { kmsKeyRotation } from "./rules/kms/key-rotation";
import { lambdaDeadLetter } from "./rules/lambda/dead-letter";
import { lambdaInVpc } from "./rules/lambda/in-vpc";
import { lambdaNoSecretEnvironment } from "./rules/lambda/no-secret-environment";
import { lambdaReservedConcurrency } from "./rules/lambda/reserved-concurrency";
import { logGroupKms } from "./rules/logs/log-group-kms";
import { logGroupRetention } from "./rules/logs/log-group-retention";
import { alarmActionsEnabled } from "./rules/messaging/alarm-actions-enabled";
import { snsEncrypted } from "./rules/messaging/sns-encrypted";
import { sqsEncrypted } from "./rules/messaging/sqs-encrypted";
import { orderEcsCapacityProvider } from "./rules/ordering/ecs-capacity-provider";
import { orderEcsServiceDiscovery } from "./rules/ordering/ecs-service-discovery";
import { orderEcsServiceListener } from "./rules/ordering/ecs-service-listener";
import { orderEcsTaskEfs } from "./rules/ordering/ecs-task-efs";
import { orderElastiCacheGroups } from "./rules/ordering/elasticache-groups";
import { orderEventTarget } from "./rules/ordering/event-target";
import { orderFlowLogDelivery } from "./rules/ordering/flow-log-delivery";
import { orderLambdaRole } from "./rules/ordering/lambda-role";
import { orderLbLogBucket } from "./rules/ordering/lb-log-bucket";
import { orderListenerCertificate } from "./rules/ordering/listener-certificate";
import { orderLogGroupFirst } from "./rules/ordering/log-group-first";
import { orderLogGroupKey } from "./rules/ordering/log-group-key";
import { orderNatGateway } from "./rules/ordering/nat-gateway";
import { orderRdsGroups } from "./rules/ordering/rds-groups";
import { orderRdsMonitoringRole } from "./rules/ordering/rds-monitoring-role";
import { orderS3LoggingTarget } from "./rules/ordering/s3-logging-target";
import { orderScalingTarget } from "./rules/ordering/scaling-target";
import { orderSecretRotation } from "./rules/ordering/secret-rotation";
import { orderSnsSubscription } from "./rules/ordering/sns-subscription";
import { rdsBackupRetention } from "./rules/rds/backup-retention";
import { rdsDeletionProtection } from "./rules/rds/deletion-protection";
import { rdsForceSsl } from "./rules/rds/force-ssl";
import { rdsLogExports } from "./rules/rds/log-exports";
import { rdsMultiAz } from "./rules/rds/multi-az";
import { rdsNotPublic } from "./rules/rds/not-public";
import { rdsPerformanceInsights } from "./rules/rds/performance-insights";
import { rdsStorageEncrypted } from "./rules/rds/storage-encrypted";
import { s3AccessLogging } from "./rules/s3/access-logging";
import { s3Encryption } from "./rules/s3/encryption";
import { s3KmsEncryption } from "./rules/s3/kms-encryption";
import { s3Lifecycle } from "./rules/s3/lifecycle";
import { s3PublicAccessBlock } from "./rules/s3/public-access-block";
import { s3TlsOnlyPolicy } from "./rules/s3/tls-only-policy";
import { s3Versioning } from "./rules/s3/versioning";
import { noLiteralSecrets } from "./rules/secrets/no-literal-secrets";
import { secretCmk } from "./rules/secrets/secret-cmk";
import { defaultSecurityGroupClosed } from "./rules/vpc/default-security-group-closed";
import { noWorldIngress } from "./rules/vpc/no-world-ingress";
import { securityGroupDescriptions } from "./rules/vpc/security-group-descriptions";
import { vpcFlowLogs } from "./rules/vpc/vpc-flow-logs";

/** A named set of rules applied together. */
export interface RulePack {
  readonly name: string;
  readonly description: string;
  readonly rules: readonly PolicyRule[];
}

function pack(name: string, description: string, ...parts: readonly (PolicyRule | RulePack)[]): RulePack {
  return { name, description, rules: parts.flatMap((p) => ("rules" in p ? p.rules : [p])) };
}

export const NETWORK_PACK = pack(
  "network",
  "VPC flow logs, security groups, host hardening",
  vpcFlowLogs,
  defaultSecurityGroupClosed,
  securityGroupDescriptions,
  noWorldIngress,
  imdsv2Required,
  imdsHopLimit,
  ebsEncrypted,
  noPublicIp,
);
export const LOAD_BALANCER_PACK = pack(
  "load-balancer",
  "ALB headers, logs, TLS and deletion protection",
  albDropInvalidHeaders,
  lbAccessLogs,
  lbDeletionProtection,
  listenerHttps,
  listenerTlsPolicy,
);
export const ECS_PACK = pack(
  "ecs",
  "ECS cluster, services and decoded container definitions",
  clusterContainerInsights,
  serviceNoPublicIp,
  taskNotPrivileged,
  taskReadonlyRoot,
  taskNonRootUser,
  taskAwslogs,
  taskEfsEncryption,
  taskSeparateRoles,
  taskNoSecretEnvironment,
  ecrScanOnPush,
  ecrImmutableTags,
);
export const DATA_PACK = pack(
  "data",
  "RDS, ElastiCache, EFS and S3",
  rdsStorageEncrypted,
  rdsNotPublic,
  rdsMultiAz,
  rdsDeletionProtection,
  rdsBackupRetention,
  rdsLogExports,
  rdsForceSsl,
  rdsPerformanceInsights,
  redisAtRestEncryption,
  redisInTransitEncryption,
  redisAuth,
  redisMultiAz,
  efsEncrypted,
  efsAccessPointRootDirectory,
  efsAccessPointPosixUser,
  efsBackupPolicy,
  s3PublicAccessBlock,
  s3Encryption,
  s3KmsEncryption,
  s3Versioning,
  s3AccessLogging,
  s3TlsOnlyPolicy,
  s3Lifecycle,
);
export const IAM_PACK = pack(
  "iam",
  "Decoded IAM documents, managed policies and KMS keys",
  noWildcardActions,
  noStarResource,
  passRoleScoped,
  ownSecretsOnly,
  noAwsManagedPolicies,
  kmsKeyRotation,
);
export const SECRETS_PACK = pack("secrets", "Literal secrets and secret encryption", noLiteralSecrets, secretCmk, jsonInspectable);
export const OPERATIONS_PACK = pack(
  "operations",
  "Lambda, queues, topics, alarms and log groups",
  lambdaInVpc,
  lambdaReservedConcurrency,
  lambdaDeadLetter,
  lambdaNoSecretEnvironment,
  sqsEncrypted,
  snsEncrypted,
  alarmActionsEnabled,
  logGroupRetention,
  logGroupKms,
);

/**
 * Creation order: every resource AWS checks against another resource of the same stack when it creates it waits
 * for that resource (by reference or depends_on), so the first `terraform apply` of a stack needs no retry.
 */
export const ORDERING_PACK = pack(
  "ordering",
  "Resources wait for what AWS checks when it creates them",
  orderS3LoggingTarget,
  orderLbLogBucket,
  orderFlowLogDelivery,
  orderNatGateway,
  orderLogGroupKey,
  orderLogGroupFirst,
  orderLambdaRole,
  orderRdsMonitoringRole,
  orderRdsGroups,
  orderElastiCacheGroups,
  orderSecretRotation,
  orderEcsServiceListener,
  orderEcsCapacityProvider,
  orderEcsServiceDiscovery,
  orderEcsTaskEfs,
  orderScalingTarget,
  orderListenerCertificate,
  orderSnsSubscription,
  orderEventTarget,
);

/** Every rule: the pack `applyPolicies` applies by default. */
export const AIRFLOW_ECS_PACK = pack(
  "airflow-ecs",
  "Every rule of the project",
  NETWORK_PACK,
  LOAD_BALANCER_PACK,
  ECS_PACK,
  DATA_PACK,
  IAM_PACK,
  SECRETS_PACK,
  OPERATIONS_PACK,
  ORDERING_PACK,
);
