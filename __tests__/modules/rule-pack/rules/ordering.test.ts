import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { EcsCapacityProvider } from "@cdktf/provider-aws/lib/ecs-capacity-provider";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { EfsAccessPoint } from "@cdktf/provider-aws/lib/efs-access-point";
import { EfsFileSystem } from "@cdktf/provider-aws/lib/efs-file-system";
import { EfsMountTarget } from "@cdktf/provider-aws/lib/efs-mount-target";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { ElasticacheSubnetGroup } from "@cdktf/provider-aws/lib/elasticache-subnet-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { ServiceDiscoveryPrivateDnsNamespace } from "@cdktf/provider-aws/lib/service-discovery-private-dns-namespace";
import { ServiceDiscoveryService } from "@cdktf/provider-aws/lib/service-discovery-service";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import type { TerraformStack } from "cdktf";
import type { DatabaseConfig } from "../../../../config/schema";
import { AirflowLoadBalancer } from "../../../../modules/alb/airflow-load-balancer";
import { ArnBuilder } from "../../../../modules/core/arn";
import { ResilientService } from "../../../../modules/ecs/resilient-service";
import { VpcFlowLogs } from "../../../../modules/network/flow-logs";
import { orderEcsCapacityProvider } from "../../../../modules/rule-pack/rules/ordering/ecs-capacity-provider";
import { orderEcsServiceDiscovery } from "../../../../modules/rule-pack/rules/ordering/ecs-service-discovery";
import { orderEcsServiceListener } from "../../../../modules/rule-pack/rules/ordering/ecs-service-listener";
import { orderEcsTaskEfs } from "../../../../modules/rule-pack/rules/ordering/ecs-task-efs";
import { orderElastiCacheGroups } from "../../../../modules/rule-pack/rules/ordering/elasticache-groups";
import { orderEventTarget } from "../../../../modules/rule-pack/rules/ordering/event-target";
import { orderFlowLogDelivery } from "../../../../modules/rule-pack/rules/ordering/flow-log-delivery";
import { orderLambdaRole } from "../../../../modules/rule-pack/rules/ordering/lambda-role";
import { orderLbLogBucket } from "../../../../modules/rule-pack/rules/ordering/lb-log-bucket";
import { orderListenerCertificate } from "../../../../modules/rule-pack/rules/ordering/listener-certificate";
import { orderLogGroupFirst } from "../../../../modules/rule-pack/rules/ordering/log-group-first";
import { orderLogGroupKey } from "../../../../modules/rule-pack/rules/ordering/log-group-key";
import { orderNatGateway } from "../../../../modules/rule-pack/rules/ordering/nat-gateway";
import { orderRdsGroups } from "../../../../modules/rule-pack/rules/ordering/rds-groups";
import { orderRdsMonitoringRole } from "../../../../modules/rule-pack/rules/ordering/rds-monitoring-role";
import { orderS3LoggingTarget } from "../../../../modules/rule-pack/rules/ordering/s3-logging-target";
import { orderScalingTarget } from "../../../../modules/rule-pack/rules/ordering/scaling-target";
import { orderSecretRotation } from "../../../../modules/rule-pack/rules/ordering/secret-rotation";
import { orderSnsSubscription } from "../../../../modules/rule-pack/rules/ordering/sns-subscription";
import { MetadataDatabase } from "../../../../modules/storage/metadata-database";
import { SecureBucket } from "../../../../modules/storage/secure-bucket";
import { check } from "../support";

const ARNS = new ArnBuilder({ account: { id: "111111111111", region: "eu-west-1" } });
const TRUST = (service: string) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });
const GRANT = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "logs:PutLogEvents", Resource: "*" }] });
const waitMessage = (role: string, address: string, path: string) => `does not wait for ${role} ${address} (${path}): refer to it or add it to depends_on`;
const messages = (findings: readonly { message: string }[]) => findings.map((f) => f.message);

const DATABASE: Omit<DatabaseConfig, "cleanup"> = {
  engineVersion: "16.8",
  instanceClass: "db.t4g.small",
  allocatedStorageGb: 20,
  maxAllocatedStorageGb: 100,
  multiAz: false,
  backupRetentionDays: 7,
  deletionProtection: false,
  performanceInsights: false,
  masterSecretRotationDays: 30,
  sqlAlchemyPoolSize: 5,
};
/** The project's database construct. */
const metadataDatabase = (stack: TerraformStack) =>
  new MetadataDatabase(stack, "database", {
    identifier: "airflow-dev-metadata",
    config: DATABASE,
    subnetIds: ["subnet-1"],
    securityGroupId: "sg-1",
    kmsKeyArn: "arn:k",
    logsKmsKeyArn: "arn:l",
    logRetentionDays: 30,
    arns: ARNS,
  });

/** A role and its inline policy, the pair the role rules look at. */
function roleWithPolicy(stack: TerraformStack, service: string) {
  const role = new IamRole(stack, "role", { name: "delivery", assumeRolePolicy: TRUST(service) });
  const policy = new IamRolePolicy(stack, "policy", { role: role.id, policy: GRANT });
  return { role, policy };
}

/** A plain bucket and its policy (a bucket of the same stack as the logging that targets it). */
function logBucket(stack: TerraformStack) {
  const bucket = new S3Bucket(stack, "logs", { bucket: "airflow-dev-logs" });
  const policy = new S3BucketPolicy(stack, "policy", { bucket: bucket.id, policy: GRANT });
  return { bucket, policy };
}

describe("AIRFLOW_ORDER_S3_LOGGING_TARGET S3 access logging after the target bucket's grants", () => {
  test("Noncompliance 1: logging names the target bucket but not its policy", () => {
    // GIVEN a bucket logging to a bucket of the stack, with no dependency on the target's policy
    const findings = check(orderS3LoggingTarget, (stack) => {
      const { bucket } = logBucket(stack);
      const source = new S3Bucket(stack, "source", { bucket: "source" });
      new S3BucketLoggingA(stack, "logging", { bucket: source.id, targetBucket: bucket.bucket, targetPrefix: "source/" });
    });
    // THEN the logging configuration is reported for the missing policy
    expect(findings).toEqual([
      {
        rule: "AIRFLOW_ORDER_S3_LOGGING_TARGET",
        address: "aws_s3_bucket_logging.logging",
        message: waitMessage("the target bucket's policy", "aws_s3_bucket_policy.policy", "policy"),
      },
    ]);
  });

  test("Noncompliance 2: a literal target name hides the target bucket entirely", () => {
    // GIVEN the target named by its literal bucket name
    const findings = check(orderS3LoggingTarget, (stack) => {
      logBucket(stack);
      new S3BucketLoggingA(stack, "logging", { bucket: "source", targetBucket: "airflow-dev-logs", targetPrefix: "source/" });
    });
    // THEN the literal is resolved to the stack's bucket and the missing policy reported
    expect(messages(findings)).toEqual([waitMessage("the target bucket's policy", "aws_s3_bucket_policy.policy", "policy")]);
  });

  test("Compliance 1: SecureBucket logging to another SecureBucket waits for its policy and ownership controls", () => {
    // GIVEN the project's bucket construct with accessLogs
    const findings = check(orderS3LoggingTarget, (stack) => {
      const target = new SecureBucket(stack, "access-logs", {
        bucketName: "access-logs",
        encryption: { kind: "s3" },
        lifecycle: { noncurrentExpireAfterDays: 7 },
      });
      new SecureBucket(stack, "data", {
        bucketName: "data",
        encryption: { kind: "s3" },
        lifecycle: { noncurrentExpireAfterDays: 7 },
        accessLogs: { bucket: target, prefix: "data/" },
      });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });

  test("Compliance 2: a target bucket of another stack (by name) is not this stack's concern", () => {
    // GIVEN logging to a bucket that is not in the stack
    const findings = check(orderS3LoggingTarget, (stack) => {
      new S3BucketLoggingA(stack, "logging", { bucket: "source", targetBucket: "bucket-of-the-storage-stack", targetPrefix: "x/" });
    });
    // THEN nothing is reported: the stack that owns the bucket is applied first
    expect(findings).toEqual([]);
  });
});

describe("AIRFLOW_ORDER_LB_LOG_BUCKET Load balancer logs after the log bucket's policy", () => {
  test("Noncompliance 1: access logs to a bucket of the stack, before its policy", () => {
    // GIVEN an ALB logging to the stack's bucket without waiting for the bucket policy
    const findings = check(orderLbLogBucket, (stack) => {
      const { bucket } = logBucket(stack);
      new Lb(stack, "alb", { name: "alb", accessLogs: { bucket: bucket.bucket, prefix: "alb", enabled: true } });
    });
    // THEN the load balancer is reported
    expect(findings).toEqual([
      {
        rule: "AIRFLOW_ORDER_LB_LOG_BUCKET",
        address: "aws_lb.alb",
        message: waitMessage("the access logs bucket's policy", "aws_s3_bucket_policy.policy", "policy"),
      },
    ]);
  });

  test("Compliance 1: the load balancer lists the bucket policy in depends_on", () => {
    // GIVEN the same ALB with depends_on on the policy
    const findings = check(orderLbLogBucket, (stack) => {
      const { bucket, policy } = logBucket(stack);
      new Lb(stack, "alb", { name: "alb", accessLogs: { bucket: bucket.bucket, prefix: "alb", enabled: true }, dependsOn: [policy] });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });

  test("Compliance 2: disabled access logs need no bucket", () => {
    // GIVEN access logs switched off
    const findings = check(orderLbLogBucket, (stack) => {
      const { bucket } = logBucket(stack);
      new Lb(stack, "alb", { name: "alb", accessLogs: { bucket: bucket.bucket, enabled: false } });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("AIRFLOW_ORDER_FLOW_LOG_DELIVERY Flow log after its destination and delivery permissions", () => {
  test("Noncompliance 1: the flow log refers to its role but not to the role's policy", () => {
    // GIVEN a flow log with a delivery role whose policy it does not wait for
    const findings = check(orderFlowLogDelivery, (stack) => {
      const vpc = new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" });
      const group = new CloudwatchLogGroup(stack, "group", { name: "flow" });
      const { role } = roleWithPolicy(stack, "vpc-flow-logs.amazonaws.com");
      new FlowLog(stack, "flow", { vpcId: vpc.id, trafficType: "ALL", logDestination: group.arn, iamRoleArn: role.arn });
    });
    // THEN the missing policy is reported
    expect(findings).toEqual([
      {
        rule: "AIRFLOW_ORDER_FLOW_LOG_DELIVERY",
        address: "aws_flow_log.flow",
        message: waitMessage("a permission of the delivery role (aws_iam_role.role)", "aws_iam_role_policy.policy", "policy"),
      },
    ]);
  });

  test("Noncompliance 2: the log group named by a literal ARN", () => {
    // GIVEN a flow log whose destination is the stack's log group by literal ARN, and the role policy waited for
    const findings = check(orderFlowLogDelivery, (stack) => {
      new CloudwatchLogGroup(stack, "group", { name: "flow" });
      const { role, policy } = roleWithPolicy(stack, "vpc-flow-logs.amazonaws.com");
      new FlowLog(stack, "flow", {
        vpcId: "vpc-1",
        trafficType: "ALL",
        logDestination: "arn:aws:logs:eu-west-1:111111111111:log-group:flow:*",
        iamRoleArn: role.arn,
        dependsOn: [policy],
      });
    });
    // THEN the log group is reported
    expect(messages(findings)).toEqual([waitMessage("its log group", "aws_cloudwatch_log_group.group", "group")]);
  });

  test("Compliance 1: VpcFlowLogs", () => {
    // GIVEN the project's flow-log construct
    const findings = check(orderFlowLogDelivery, (stack) => {
      const vpc = new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" });
      new VpcFlowLogs(stack, "flow-logs", { vpcId: vpc.id, roleName: "flow", logGroupName: "flow", retentionDays: 30, kmsKeyArn: "arn:k", arns: ARNS });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("AIRFLOW_ORDER_NAT_GATEWAY Public NAT gateway after the VPC's internet gateway", () => {
  const network = (stack: TerraformStack) => {
    const vpc = new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" });
    const subnet = new Subnet(stack, "public", { vpcId: vpc.id, cidrBlock: "10.0.0.0/24" });
    const igw = new InternetGateway(stack, "igw", { vpcId: vpc.id });
    return { subnet, igw };
  };

  test("Noncompliance 1: the NAT gateway does not wait for the internet gateway", () => {
    // GIVEN a public NAT gateway in a subnet of a VPC with an internet gateway
    const findings = check(orderNatGateway, (stack) => {
      const { subnet } = network(stack);
      new NatGateway(stack, "nat", { subnetId: subnet.id, allocationId: "eipalloc-1" });
    });
    // THEN it is reported
    expect(findings).toEqual([
      {
        rule: "AIRFLOW_ORDER_NAT_GATEWAY",
        address: "aws_nat_gateway.nat",
        message: waitMessage("the VPC's internet gateway", "aws_internet_gateway.igw", "igw"),
      },
    ]);
  });

  test("Compliance 1: depends_on the internet gateway; a private NAT gateway needs none", () => {
    // GIVEN a public NAT gateway with depends_on and a private one without
    const findings = check(orderNatGateway, (stack) => {
      const { subnet, igw } = network(stack);
      new NatGateway(stack, "nat", { subnetId: subnet.id, allocationId: "eipalloc-1", dependsOn: [igw] });
      new NatGateway(stack, "private", { subnetId: subnet.id, connectivityType: "private" });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("AIRFLOW_ORDER_LOG_GROUP_KEY Encrypted log group after its key policy", () => {
  test("Noncompliance 1: the key's separate policy is not waited for", () => {
    // GIVEN a log group encrypted with a key of the stack whose policy is a separate resource
    const findings = check(orderLogGroupKey, (stack) => {
      const key = new KmsKey(stack, "key", { enableKeyRotation: true });
      new KmsKeyPolicy(stack, "key-policy", { keyId: key.id, policy: GRANT });
      new CloudwatchLogGroup(stack, "group", { name: "g", kmsKeyId: key.arn });
    });
    // THEN the log group is reported
    expect(findings).toEqual([
      {
        rule: "AIRFLOW_ORDER_LOG_GROUP_KEY",
        address: "aws_cloudwatch_log_group.group",
        message: waitMessage("the key's policy", "aws_kms_key_policy.key-policy", "key-policy"),
      },
    ]);
  });

  test("Compliance 1: a key with its policy inline, referred to by ARN", () => {
    // GIVEN the project's pattern: the policy is an attribute of aws_kms_key
    const findings = check(orderLogGroupKey, (stack) => {
      const key = new KmsKey(stack, "key", { enableKeyRotation: true, policy: GRANT });
      new CloudwatchLogGroup(stack, "group", { name: "g", kmsKeyId: key.arn });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("AIRFLOW_ORDER_LOG_GROUP_FIRST Log group before the function, database or task writing to it", () => {
  test("Noncompliance 1: a function and a database that would create their own log groups", () => {
    // GIVEN /aws/lambda/<name> and an RDS export log group, neither waited for
    const findings = check(orderLogGroupFirst, (stack) => {
      new CloudwatchLogGroup(stack, "lambda-logs", { name: "/aws/lambda/fn" });
      new LambdaFunction(stack, "fn", { functionName: "fn", role: "arn:aws:iam::111111111111:role/r", runtime: "nodejs22.x", handler: "index.handler" });
      new CloudwatchLogGroup(stack, "db-logs", { name: "/aws/rds/instance/db/postgresql" });
      new DbInstance(stack, "db", { identifier: "db", instanceClass: "db.t4g.small", engine: "postgres", enabledCloudwatchLogsExports: ["postgresql"] });
    });
    // THEN both are reported
    expect(findings.map((f) => [f.address, f.message])).toEqual([
      ["aws_lambda_function.fn", waitMessage("its log group", "aws_cloudwatch_log_group.lambda-logs", "lambda-logs")],
      ["aws_db_instance.db", waitMessage("the postgresql export log group", "aws_cloudwatch_log_group.db-logs", "db-logs")],
    ]);
  });

  test("Noncompliance 2: a container's awslogs group named by a literal", () => {
    // GIVEN a task definition whose container logs to the stack's group by name
    const findings = check(orderLogGroupFirst, (stack) => {
      new CloudwatchLogGroup(stack, "logs", { name: "/airflow/app" });
      new EcsTaskDefinition(stack, "task", {
        family: "app",
        containerDefinitions: JSON.stringify([{ name: "app", logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/airflow/app" } } }]),
      });
    });
    // THEN the task definition is reported
    expect(messages(findings)).toEqual([waitMessage("the awslogs group of app", "aws_cloudwatch_log_group.logs", "logs")]);
  });

  test("Compliance 1: MetadataDatabase creates its export log groups first", () => {
    // GIVEN the project's database construct
    const findings = check(orderLogGroupFirst, (stack) => {
      metadataDatabase(stack);
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("AIRFLOW_ORDER_LAMBDA_ROLE Lambda function after its role's policies", () => {
  const fn = (stack: TerraformStack, role: IamRole, dependsOn?: IamRolePolicyAttachment[]) =>
    new LambdaFunction(stack, "fn", {
      functionName: "fn",
      role: role.arn,
      runtime: "nodejs22.x",
      handler: "index.handler",
      vpcConfig: { subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] },
      dependsOn,
    });

  test("Noncompliance 1: a VPC function created next to its role's attachment", () => {
    // GIVEN a role of the stack with a managed-policy attachment the function does not wait for
    const findings = check(orderLambdaRole, (stack) => {
      const role = new IamRole(stack, "role", { name: "fn", assumeRolePolicy: TRUST("lambda.amazonaws.com") });
      new IamRolePolicyAttachment(stack, "vpc-access", { role: role.name, policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole" });
      fn(stack, role);
    });
    // THEN the function is reported
    expect(findings).toEqual([
      {
        rule: "AIRFLOW_ORDER_LAMBDA_ROLE",
        address: "aws_lambda_function.fn",
        message: waitMessage("a permission of the execution role (aws_iam_role.role)", "aws_iam_role_policy_attachment.vpc-access", "vpc-access"),
      },
    ]);
  });

  test("Compliance 1: depends_on the attachment; a role of another stack is not checked", () => {
    // GIVEN the function waiting for the attachment, and a second function whose role comes from another stack
    const findings = check(orderLambdaRole, (stack) => {
      const role = new IamRole(stack, "role", { name: "fn", assumeRolePolicy: TRUST("lambda.amazonaws.com") });
      const attachment = new IamRolePolicyAttachment(stack, "vpc-access", { role: role.name, policyArn: "arn:aws:iam::aws:policy/x" });
      fn(stack, role, [attachment]);
      new LambdaFunction(stack, "other", {
        functionName: "other",
        role: "arn:aws:iam::111111111111:role/from-iam-stack",
        runtime: "nodejs22.x",
        handler: "i.h",
      });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("AIRFLOW_ORDER_RDS_MONITORING_ROLE RDS instance after its monitoring role's policies", () => {
  test("Noncompliance 1: the instance refers to the role only", () => {
    // GIVEN an instance with enhanced monitoring through a role of the stack
    const findings = check(orderRdsMonitoringRole, (stack) => {
      const { role } = roleWithPolicy(stack, "monitoring.rds.amazonaws.com");
      new DbInstance(stack, "db", { identifier: "db", instanceClass: "db.t4g.small", engine: "postgres", monitoringInterval: 60, monitoringRoleArn: role.arn });
    });
    // THEN the instance is reported
    expect(findings).toEqual([
      {
        rule: "AIRFLOW_ORDER_RDS_MONITORING_ROLE",
        address: "aws_db_instance.db",
        message: waitMessage("a permission of the monitoring role (aws_iam_role.role)", "aws_iam_role_policy.policy", "policy"),
      },
    ]);
  });

  test("Compliance 1: MetadataDatabase waits for its monitoring policy", () => {
    // GIVEN the project's database construct
    const findings = check(orderRdsMonitoringRole, (stack) => {
      metadataDatabase(stack);
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("AIRFLOW_ORDER_RDS_GROUPS RDS instance after its subnet, parameter and option groups", () => {
  test("Noncompliance 1: groups of the stack named by literals", () => {
    // GIVEN an instance naming the stack's subnet and parameter groups by their literal names
    const findings = check(orderRdsGroups, (stack) => {
      new DbSubnetGroup(stack, "subnets", { name: "db-subnets", subnetIds: ["subnet-1"] });
      new DbParameterGroup(stack, "parameters", { name: "db-postgres16", family: "postgres16" });
      new DbInstance(stack, "db", { identifier: "db", instanceClass: "db.t4g.small", dbSubnetGroupName: "db-subnets", parameterGroupName: "db-postgres16" });
    });
    // THEN both groups are reported
    expect(messages(findings)).toEqual([
      waitMessage("its subnet group", "aws_db_subnet_group.subnets", "subnets"),
      waitMessage("its parameter group", "aws_db_parameter_group.parameters", "parameters"),
    ]);
  });

  test("Compliance 1: groups referred to by their name attributes", () => {
    // GIVEN references instead of literals
    const findings = check(orderRdsGroups, (stack) => {
      const subnets = new DbSubnetGroup(stack, "subnets", { name: "db-subnets", subnetIds: ["subnet-1"] });
      const parameters = new DbParameterGroup(stack, "parameters", { name: "db-postgres16", family: "postgres16" });
      new DbInstance(stack, "db", { identifier: "db", instanceClass: "db.t4g.small", dbSubnetGroupName: subnets.name, parameterGroupName: parameters.name });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("AIRFLOW_ORDER_ELASTICACHE_GROUPS ElastiCache after its subnet, parameter and log groups", () => {
  test("Noncompliance 1: subnet group and log group named by literals", () => {
    // GIVEN a replication group naming the stack's subnet group and slow-log group by literal names
    const findings = check(orderElastiCacheGroups, (stack) => {
      new ElasticacheSubnetGroup(stack, "subnets", { name: "broker", subnetIds: ["subnet-1"] });
      new CloudwatchLogGroup(stack, "slow-log", { name: "/airflow/broker" });
      new ElasticacheReplicationGroup(stack, "redis", {
        replicationGroupId: "broker",
        description: "broker",
        subnetGroupName: "broker",
        logDeliveryConfiguration: [{ destination: "/airflow/broker", destinationType: "cloudwatch-logs", logFormat: "json", logType: "slow-log" }],
      });
    });
    // THEN both are reported
    expect(messages(findings)).toEqual([
      waitMessage("its subnet group", "aws_elasticache_subnet_group.subnets", "subnets"),
      waitMessage("the slow-log log group", "aws_cloudwatch_log_group.slow-log", "slow-log"),
    ]);
  });

  test("Compliance 1: references", () => {
    // GIVEN the same resources wired by reference
    const findings = check(orderElastiCacheGroups, (stack) => {
      const subnets = new ElasticacheSubnetGroup(stack, "subnets", { name: "broker", subnetIds: ["subnet-1"] });
      const logs = new CloudwatchLogGroup(stack, "slow-log", { name: "/airflow/broker" });
      new ElasticacheReplicationGroup(stack, "redis", {
        replicationGroupId: "broker",
        description: "broker",
        subnetGroupName: subnets.name,
        logDeliveryConfiguration: [{ destination: logs.name, destinationType: "cloudwatch-logs", logFormat: "json", logType: "slow-log" }],
      });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("AIRFLOW_ORDER_SECRET_ROTATION Secret rotation after the rotation function's permission", () => {
  const rotator = (stack: TerraformStack) => {
    const secret = new SecretsmanagerSecret(stack, "secret", { name: "airflow/dev/db" });
    const fn = new LambdaFunction(stack, "rotator", {
      functionName: "rotator",
      role: "arn:aws:iam::111111111111:role/r",
      runtime: "python3.12",
      handler: "i.h",
    });
    return { secret, fn };
  };

  test("Noncompliance 1: rotation next to the invoke permission", () => {
    // GIVEN a rotation whose function has a permission for Secrets Manager the rotation does not wait for
    const findings = check(orderSecretRotation, (stack) => {
      const { secret, fn } = rotator(stack);
      new LambdaPermission(stack, "invoke", { action: "lambda:InvokeFunction", functionName: fn.functionName, principal: "secretsmanager.amazonaws.com" });
      new SecretsmanagerSecretRotation(stack, "rotation", { secretId: secret.id, rotationLambdaArn: fn.arn, rotationRules: { automaticallyAfterDays: 30 } });
    });
    // THEN the rotation is reported
    expect(findings).toEqual([
      {
        rule: "AIRFLOW_ORDER_SECRET_ROTATION",
        address: "aws_secretsmanager_secret_rotation.rotation",
        message: waitMessage("the rotation function's invoke permission", "aws_lambda_permission.invoke", "invoke"),
      },
    ]);
  });

  test("Noncompliance 2: no permission at all", () => {
    // GIVEN a rotation function no permission lets Secrets Manager invoke
    const findings = check(orderSecretRotation, (stack) => {
      const { secret, fn } = rotator(stack);
      new SecretsmanagerSecretRotation(stack, "rotation", { secretId: secret.id, rotationLambdaArn: fn.arn, rotationRules: { automaticallyAfterDays: 30 } });
    });
    // THEN the missing permission is reported
    expect(messages(findings)).toEqual(["no aws_lambda_permission in this stack lets secretsmanager.amazonaws.com invoke aws_lambda_function.rotator"]);
  });

  test("Compliance 1: depends_on the permission; RDS-managed rotation refers to its database", () => {
    // GIVEN a Lambda rotation waiting for its permission, and MetadataDatabase's RDS-managed rotation
    const findings = check(orderSecretRotation, (stack) => {
      const { secret, fn } = rotator(stack);
      const permission = new LambdaPermission(stack, "invoke", {
        action: "lambda:InvokeFunction",
        functionName: fn.functionName,
        principal: "secretsmanager.amazonaws.com",
      });
      new SecretsmanagerSecretRotation(stack, "rotation", {
        secretId: secret.id,
        rotationLambdaArn: fn.arn,
        rotationRules: { automaticallyAfterDays: 30 },
        dependsOn: [permission],
      });
      metadataDatabase(stack);
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("AIRFLOW_ORDER_ECS_SERVICE_LISTENER ECS service after the listener routing to its target group", () => {
  const alb = (stack: TerraformStack, flower = false) =>
    new AirflowLoadBalancer(stack, "alb", {
      name: "airflow-dev-alb",
      internetFacing: false,
      subnetIds: ["subnet-1"],
      securityGroupId: "sg-1",
      vpcId: "vpc-1",
      accessLogs: { bucket: "logs", prefix: "alb" },
      deletionProtection: false,
      flower,
      waf: false,
    });
  const service = (stack: TerraformStack, id: string, targetGroupArn: string, dependsOn?: LbListener[]) =>
    new EcsService(stack, id, { name: id, taskDefinition: "task:1", loadBalancer: [{ targetGroupArn, containerName: id, containerPort: 8080 }], dependsOn });

  test("Noncompliance 1: the service refers to the target group only (the api-server race)", () => {
    // GIVEN a service registering in the ALB's api target group without waiting for the listener
    const findings = check(orderEcsServiceListener, (stack) => service(stack, "api", alb(stack).apiTargetGroup.arn));
    // THEN it is reported with the listener to wait for
    expect(findings).toEqual([
      {
        rule: "AIRFLOW_ORDER_ECS_SERVICE_LISTENER",
        address: "aws_ecs_service.api",
        message: expect.stringMatching(
          /^does not wait for the listener or rule routing to aws_lb_target_group\.alb_api-targets_\w+ \(aws_lb_listener\.alb_http_\w+\): add it to depends_on$/,
        ),
      },
    ]);
  });

  test("Noncompliance 2: a target group no listener routes to", () => {
    // GIVEN a target group of the stack that no listener or rule forwards to
    const findings = check(orderEcsServiceListener, (stack) => {
      const targets = new LbTargetGroup(stack, "orphan", { name: "orphan", port: 80, protocol: "HTTP", vpcId: "vpc-1" });
      service(stack, "api", targets.arn);
    });
    // THEN the orphan target group is reported
    expect(messages(findings)).toEqual(["target group aws_lb_target_group.orphan is routed to by no listener or listener rule in this stack"]);
  });

  test("Compliance 1: ResilientService with the ALB's targets (listener for the api, listener rule for Flower)", () => {
    // GIVEN the project's service construct registering in both target groups of an ALB routing /flower
    const findings = check(orderEcsServiceListener, (stack) => {
      const lb = alb(stack, true);
      for (const [id, target] of [
        ["api", lb.apiTarget],
        ["flower", lb.flowerTarget!],
      ] as const) {
        new ResilientService(stack, id, {
          name: id,
          clusterArn: "arn:cluster",
          clusterName: "cluster",
          taskDefinitionArn: "task:1",
          desiredCount: 1,
          placement: { kind: "fargate", spot: false },
          loadBalancers: [{ ...target, containerName: id, containerPort: 8080 }],
        });
      }
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });

  test("Compliance 2: a target group of another stack", () => {
    // GIVEN a literal target group ARN
    const findings = check(orderEcsServiceListener, (stack) => service(stack, "api", "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/x/1"));
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("AIRFLOW_ORDER_ECS_CAPACITY_PROVIDER ECS service after the cluster's capacity-provider association", () => {
  const cluster = (stack: TerraformStack) => {
    const ecs = new EcsCluster(stack, "cluster", { name: "airflow" });
    const provider = new EcsCapacityProvider(stack, "provider", { name: "ec2", autoScalingGroupProvider: { autoScalingGroupArn: "arn:asg" } });
    const association = new EcsClusterCapacityProviders(stack, "association", {
      clusterName: ecs.name,
      capacityProviders: [provider.name],
      defaultCapacityProviderStrategy: [{ capacityProvider: provider.name, weight: 1 }],
    });
    return { ecs, provider, association };
  };

  test("Noncompliance 1: a strategy naming the provider, and a service on the cluster default", () => {
    // GIVEN two services of the cluster, neither waiting for the association
    const findings = check(orderEcsCapacityProvider, (stack) => {
      const { ecs, provider } = cluster(stack);
      new EcsService(stack, "explicit", { name: "explicit", cluster: ecs.arn, capacityProviderStrategy: [{ capacityProvider: provider.name, weight: 1 }] });
      new EcsService(stack, "default", { name: "default", cluster: ecs.arn });
    });
    // THEN both are reported
    const message = waitMessage("the cluster's capacity-provider association", "aws_ecs_cluster_capacity_providers.association", "association");
    expect(findings.map((f) => [f.address, f.message])).toEqual([
      ["aws_ecs_service.explicit", message],
      ["aws_ecs_service.default", message],
    ]);
  });

  test("Compliance 1: depends_on the association; the EC2 launch type needs none", () => {
    // GIVEN a service waiting for the association and one on the EC2 launch type
    const findings = check(orderEcsCapacityProvider, (stack) => {
      const { ecs, provider, association } = cluster(stack);
      new EcsService(stack, "explicit", {
        name: "explicit",
        cluster: ecs.arn,
        capacityProviderStrategy: [{ capacityProvider: provider.name, weight: 1 }],
        dependsOn: [association],
      });
      new EcsService(stack, "daemon", { name: "daemon", cluster: ecs.arn, launchType: "EC2" });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("AIRFLOW_ORDER_ECS_SERVICE_DISCOVERY Service discovery after its namespace and registry", () => {
  test("Noncompliance 1: a Service Connect namespace named by its literal name", () => {
    // GIVEN a service naming the stack's namespace by its literal name
    const findings = check(orderEcsServiceDiscovery, (stack) => {
      new ServiceDiscoveryPrivateDnsNamespace(stack, "namespace", { name: "airflow.internal", vpc: "vpc-1" });
      new EcsService(stack, "api", { name: "api", serviceConnectConfiguration: { enabled: true, namespace: "airflow.internal" } });
    });
    // THEN it is reported
    expect(findings).toEqual([
      {
        rule: "AIRFLOW_ORDER_ECS_SERVICE_DISCOVERY",
        address: "aws_ecs_service.api",
        message: waitMessage("its Service Connect namespace", "aws_service_discovery_private_dns_namespace.namespace", "namespace"),
      },
    ]);
  });

  test("Compliance 1: registry and namespace by reference", () => {
    // GIVEN a Cloud Map service in the stack's namespace and an ECS service registering in it
    const findings = check(orderEcsServiceDiscovery, (stack) => {
      const namespace = new ServiceDiscoveryPrivateDnsNamespace(stack, "namespace", { name: "airflow.internal", vpc: "vpc-1" });
      const registry = new ServiceDiscoveryService(stack, "registry", {
        name: "api",
        dnsConfig: { namespaceId: namespace.id, dnsRecords: [{ type: "A", ttl: 10 }] },
      });
      new EcsService(stack, "api", { name: "api", serviceRegistries: { registryArn: registry.arn } });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("AIRFLOW_ORDER_ECS_TASK_EFS ECS task definition after its EFS mount targets and access points", () => {
  const efs = (stack: TerraformStack) => {
    const fileSystem = new EfsFileSystem(stack, "fs", { encrypted: true });
    const targets = ["subnet-1", "subnet-2"].map((subnetId, i) => new EfsMountTarget(stack, `mount-${i}`, { fileSystemId: fileSystem.id, subnetId }));
    const accessPoint = new EfsAccessPoint(stack, "dags", { fileSystemId: fileSystem.id });
    return { fileSystem, targets, accessPoint };
  };
  const task = (stack: TerraformStack, fileSystemId: string, accessPointId: string, dependsOn?: EfsMountTarget[]) =>
    new EcsTaskDefinition(stack, "task", {
      family: "worker",
      containerDefinitions: "[]",
      volume: [
        {
          name: "dags",
          efsVolumeConfiguration: { fileSystemId, transitEncryption: "ENABLED", authorizationConfig: { accessPointId, iam: "ENABLED" } },
        },
      ],
      dependsOn,
    });

  test("Noncompliance 1: the task refers to the file system and access point, not the mount targets", () => {
    // GIVEN a task definition mounting the stack's file system
    const findings = check(orderEcsTaskEfs, (stack) => {
      const { fileSystem, accessPoint } = efs(stack);
      task(stack, fileSystem.id, accessPoint.id);
    });
    // THEN each mount target is reported
    expect(messages(findings)).toEqual([
      waitMessage("a mount target of its file system", "aws_efs_mount_target.mount-0", "mount-0"),
      waitMessage("a mount target of its file system", "aws_efs_mount_target.mount-1", "mount-1"),
    ]);
  });

  test("Compliance 1: depends_on the mount targets; a file system of another stack", () => {
    // GIVEN the task waiting for the mount targets, and one mounting a file system from the storage stack
    const findings = check(orderEcsTaskEfs, (stack) => {
      const { fileSystem, targets, accessPoint } = efs(stack);
      task(stack, fileSystem.id, accessPoint.id, targets);
      new EcsTaskDefinition(stack, "remote", {
        family: "remote",
        containerDefinitions: "[]",
        volume: [{ name: "dags", efsVolumeConfiguration: { fileSystemId: "fs-123", transitEncryption: "ENABLED" } }],
      });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("AIRFLOW_ORDER_SCALING_TARGET Scalable target after its ECS service", () => {
  test("Noncompliance 1: the literal resource id hides the service", () => {
    // GIVEN a scalable target of the stack's service, by resource id only
    const findings = check(orderScalingTarget, (stack) => {
      new EcsService(stack, "worker", { name: "airflow-dev-worker" });
      new AppautoscalingTarget(stack, "target", {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: "service/airflow/airflow-dev-worker",
        minCapacity: 1,
        maxCapacity: 4,
      });
    });
    // THEN it is reported
    expect(findings).toEqual([
      {
        rule: "AIRFLOW_ORDER_SCALING_TARGET",
        address: "aws_appautoscaling_target.target",
        message: waitMessage("the scaled service", "aws_ecs_service.worker", "worker"),
      },
    ]);
  });

  test("Compliance 1: ResilientService.scalableTarget", () => {
    // GIVEN the project's service and its scalable target
    const findings = check(orderScalingTarget, (stack) => {
      const worker = new ResilientService(stack, "worker", {
        name: "airflow-dev-worker",
        clusterArn: "arn:cluster",
        clusterName: "airflow",
        taskDefinitionArn: "task:1",
        desiredCount: 1,
        placement: { kind: "ec2-launch-type" },
      });
      worker.scalableTarget(1, 4);
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("AIRFLOW_ORDER_LISTENER_CERTIFICATE HTTPS listener after the certificate's validation", () => {
  const listener = (stack: TerraformStack, certificateArn: string) =>
    new LbListener(stack, "https", { loadBalancerArn: "arn:lb", port: 443, protocol: "HTTPS", certificateArn, defaultAction: [{ type: "fixed-response" }] });

  test("Noncompliance 1: the listener refers to the certificate, not its validation", () => {
    // GIVEN a certificate of the stack and its validation, the listener using the certificate directly
    const findings = check(orderListenerCertificate, (stack) => {
      const certificate = new AcmCertificate(stack, "certificate", { domainName: "airflow.example.com", validationMethod: "DNS" });
      new AcmCertificateValidation(stack, "validation", { certificateArn: certificate.arn });
      listener(stack, certificate.arn);
    });
    // THEN it is reported
    expect(messages(findings)).toEqual([waitMessage("the certificate's validation", "aws_acm_certificate_validation.validation", "validation")]);
  });

  test("Noncompliance 2: no validation at all", () => {
    // GIVEN a certificate of the stack nothing validates
    const findings = check(orderListenerCertificate, (stack) => {
      const certificate = new AcmCertificate(stack, "certificate", { domainName: "airflow.example.com", validationMethod: "DNS" });
      listener(stack, certificate.arn);
    });
    // THEN the missing validation is reported
    expect(messages(findings)).toEqual(["no aws_acm_certificate_validation in this stack waits for aws_acm_certificate.certificate to be issued"]);
  });

  test("Compliance 1: the validation's certificate_arn, and a certificate from configuration", () => {
    // GIVEN a listener using the validation's output and one using a configured ARN
    const findings = check(orderListenerCertificate, (stack) => {
      const certificate = new AcmCertificate(stack, "certificate", { domainName: "airflow.example.com", validationMethod: "DNS" });
      const validation = new AcmCertificateValidation(stack, "validation", { certificateArn: certificate.arn });
      listener(stack, validation.certificateArn);
      new LbListener(stack, "configured", {
        loadBalancerArn: "arn:lb",
        port: 8443,
        protocol: "HTTPS",
        certificateArn: "arn:aws:acm:eu-west-1:1:certificate/x",
        defaultAction: [],
      });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("AIRFLOW_ORDER_SNS_SUBSCRIPTION SNS subscription after its endpoint's permission", () => {
  test("Noncompliance 1: a queue subscription before the queue policy", () => {
    // GIVEN a topic, a queue with a policy, and a subscription not waiting for the policy
    const findings = check(orderSnsSubscription, (stack) => {
      const topic = new SnsTopic(stack, "topic", { name: "alarms" });
      const queue = new SqsQueue(stack, "queue", { name: "alarms" });
      new SqsQueuePolicy(stack, "queue-policy", { queueUrl: queue.url, policy: GRANT });
      new SnsTopicSubscription(stack, "subscription", { topicArn: topic.arn, protocol: "sqs", endpoint: queue.arn });
    });
    // THEN it is reported
    expect(findings).toEqual([
      {
        rule: "AIRFLOW_ORDER_SNS_SUBSCRIPTION",
        address: "aws_sns_topic_subscription.subscription",
        message: waitMessage("the queue's policy", "aws_sqs_queue_policy.queue-policy", "queue-policy"),
      },
    ]);
  });

  test("Noncompliance 2: a function subscription with no permission for SNS", () => {
    // GIVEN a Lambda endpoint nothing lets SNS invoke
    const findings = check(orderSnsSubscription, (stack) => {
      const topic = new SnsTopic(stack, "topic", { name: "alarms" });
      const fn = new LambdaFunction(stack, "fn", { functionName: "fn", role: "arn:aws:iam::1:role/r", runtime: "nodejs22.x", handler: "i.h" });
      new SnsTopicSubscription(stack, "subscription", { topicArn: topic.arn, protocol: "lambda", endpoint: fn.arn });
    });
    // THEN the missing permission is reported
    expect(messages(findings)).toEqual(["no aws_lambda_permission in this stack lets sns.amazonaws.com invoke aws_lambda_function.fn"]);
  });

  test("Compliance 1: an e-mail subscription, and a function subscription waiting for its permission", () => {
    // GIVEN the alarm topic's e-mail subscription and a Lambda subscription with depends_on
    const findings = check(orderSnsSubscription, (stack) => {
      const topic = new SnsTopic(stack, "topic", { name: "alarms" });
      new SnsTopicSubscription(stack, "email", { topicArn: topic.arn, protocol: "email", endpoint: "ops@example.com" });
      const fn = new LambdaFunction(stack, "fn", { functionName: "fn", role: "arn:aws:iam::1:role/r", runtime: "nodejs22.x", handler: "i.h" });
      const permission = new LambdaPermission(stack, "invoke", {
        action: "lambda:InvokeFunction",
        functionName: fn.functionName,
        principal: "sns.amazonaws.com",
        sourceArn: topic.arn,
      });
      new SnsTopicSubscription(stack, "lambda", { topicArn: topic.arn, protocol: "lambda", endpoint: fn.arn, dependsOn: [permission] });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("AIRFLOW_ORDER_EVENT_TARGET EventBridge target after the target's permission", () => {
  const scheduled = (stack: TerraformStack) => {
    const rule = new CloudwatchEventRule(stack, "schedule", { name: "every-minute", scheduleExpression: "rate(1 minute)" });
    const fn = new LambdaFunction(stack, "fn", { functionName: "publisher", role: "arn:aws:iam::1:role/r", runtime: "nodejs22.x", handler: "i.h" });
    const permission = new LambdaPermission(stack, "invoke", {
      action: "lambda:InvokeFunction",
      functionName: fn.functionName,
      principal: "events.amazonaws.com",
      sourceArn: rule.arn,
    });
    return { rule, fn, permission };
  };

  test("Noncompliance 1: the target next to the Lambda permission (the queue-depth publisher's race)", () => {
    // GIVEN a scheduled rule targeting a function whose permission the target does not wait for
    const findings = check(orderEventTarget, (stack) => {
      const { rule, fn } = scheduled(stack);
      new CloudwatchEventTarget(stack, "target", { rule: rule.name, arn: fn.arn });
    });
    // THEN it is reported
    expect(findings).toEqual([
      {
        rule: "AIRFLOW_ORDER_EVENT_TARGET",
        address: "aws_cloudwatch_event_target.target",
        message: waitMessage("the function's invoke permission", "aws_lambda_permission.invoke", "invoke"),
      },
    ]);
  });

  test("Compliance 1: depends_on the permission", () => {
    // GIVEN the target waiting for the permission
    const findings = check(orderEventTarget, (stack) => {
      const { rule, fn, permission } = scheduled(stack);
      new CloudwatchEventTarget(stack, "target", { rule: rule.name, arn: fn.arn, dependsOn: [permission] });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});
