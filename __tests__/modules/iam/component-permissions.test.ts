import type { DagBundleConfig, S3DagBundleConfig } from "../../../config/schema";
import { ArnBuilder } from "../../../modules/core/arn";
import { Naming } from "../../../modules/core/naming";
import {
  platformRolePermissions,
  s3BundlePrefixes,
  TASK_ROLE_COMPONENTS,
  taskRolePermissions,
  type AirflowDataAccess,
} from "../../../modules/iam/component-permissions";

const data: AirflowDataAccess = {
  dataKeyArn: "arn:key",
  secretArns: {
    database: "arn:db",
    brokerAuthToken: "arn:redis",
    fernetKey: "arn:fernet",
    apiSecretKey: "arn:api",
    jwtSecret: "arn:jwt",
    adminPassword: "arn:admin",
    flowerBasicAuth: "arn:flower",
  },
  dagFileSystem: { arn: "arn:efs", dagsAccessPointArn: "arn:ap/dags", pluginsAccessPointArn: "arn:ap/plugins" },
  taskLogsBucketArn: "arn:aws:s3:::task-logs",
  dagBucketArn: "arn:aws:s3:::dags",
};
const access = (bundles: readonly DagBundleConfig[], taskFailureNotifications = true) => ({
  naming: new Naming("airflow", "dev", "111111111111"),
  arns: new ArnBuilder({ account: { id: "111111111111", region: "eu-west-1" } }),
  data,
  bundles,
  taskFailureNotifications,
});
const s3Bundle: S3DagBundleConfig = { name: "reports", source: "s3", prefix: "reports", refreshIntervalSeconds: 60, maxRefreshSeconds: 120 };
const sids = (statements: readonly { sid: string }[]) => statements.map((s) => s.sid);

describe("component permissions", () => {
  it("list a permission set for every component with a task role", () => {
    expect(Object.keys(taskRolePermissions(access([])))).toEqual([...TASK_ROLE_COMPONENTS]);
  });

  it("let only the components that fetch DAG bundles read the S3 bundles, and only their prefixes", () => {
    // GIVEN an S3 bundle WHEN the permissions are derived
    const permissions = taskRolePermissions(access([s3Bundle]));
    const readers = TASK_ROLE_COMPONENTS.filter((c) => sids(permissions[c].statements).includes("ReadDagBundles"));
    // THEN the dag-processor, triggerer and workers read it, under dags/reports only
    expect(readers).toEqual(["dag_processor", "triggerer", "worker"]);
    expect(permissions.worker.statements.find((s) => s.sid === "ReadDagBundles")!.resources).toEqual(["arn:aws:s3:::dags/dags/reports/*"]);
    expect(s3BundlePrefixes([s3Bundle])).toEqual(["dags/reports"]);
  });

  it("grant no S3 bundle read where the environment has no S3 bundle", () => {
    const permissions = taskRolePermissions(access([]));
    expect(TASK_ROLE_COMPONENTS.filter((c) => sids(permissions[c].statements).includes("ReadDagBundles"))).toEqual([]);
  });

  it("let the sync task write the DAGs access point only, and the bastion both access points", () => {
    const tasks = taskRolePermissions(access([]));
    const platform = platformRolePermissions(access([]));
    const mount = (statements: readonly { sid: string; actions: readonly string[]; conditions?: readonly { values: readonly string[] }[] }[]) =>
      statements.find((s) => s.sid === "MountDagFileSystem")!;
    expect(mount(tasks.dag_sync.statements).conditions![0].values).toEqual(["arn:ap/dags"]);
    expect(mount(tasks.dag_sync.statements).actions).toContain("elasticfilesystem:ClientWrite");
    expect(mount(tasks.scheduler.statements).actions).toEqual(["elasticfilesystem:ClientMount"]);
    expect(mount(platform.bastion.statements).conditions![0].values).toEqual(["arn:ap/dags", "arn:ap/plugins"]);
  });

  it("let the publisher read the database secret only, and the redeployer update only this environment's services", () => {
    const platform = platformRolePermissions(access([]));
    expect(platform.publisher.statements.find((s) => s.sid === "ReadDatabaseSecret")!.resources).toEqual(["arn:db"]);
    expect(platform.redeployer.statements.find((s) => s.sid === "RedeployAirflowServices")!.resources).toEqual([
      "arn:aws:ecs:eu-west-1:111111111111:service/airflow-dev-cluster/airflow-dev-*",
    ]);
  });

  it("let the workers and the dag-processor publish task failures to the environment's topic, through its key", () => {
    // GIVEN task-failure notifications on WHEN the permissions are derived
    const permissions = taskRolePermissions(access([]));
    const publishers = TASK_ROLE_COMPONENTS.filter((c) => sids(permissions[c].statements).includes("PublishTaskFailures"));
    // THEN exactly the components running failure callbacks may publish, to the alarm topic only
    expect(publishers).toEqual(["dag_processor", "worker"]);
    const statements = permissions.worker.statements;
    expect(statements.find((s) => s.sid === "PublishTaskFailures")).toEqual({
      sid: "PublishTaskFailures",
      actions: ["sns:Publish"],
      resources: ["arn:aws:sns:eu-west-1:111111111111:airflow-dev-alarms"],
    });
    // AND may use the topic's key (named by its alias, created later by the services stack) only through SNS
    expect(statements.find((s) => s.sid === "PublishTaskFailuresKey")).toEqual({
      sid: "PublishTaskFailuresKey",
      actions: ["kms:GenerateDataKey", "kms:Decrypt"],
      resources: ["arn:aws:kms:eu-west-1:111111111111:key/*"],
      conditions: [
        { test: "ForAnyValue:StringEquals", variable: "kms:ResourceAliases", values: ["alias/airflow-dev-alarms"] },
        { test: "StringEquals", variable: "kms:ViaService", values: ["sns.eu-west-1.amazonaws.com"] },
      ],
    });
  });

  it("grant no publishing when the environment turns task-failure notifications off", () => {
    const permissions = taskRolePermissions(access([], false));
    expect(TASK_ROLE_COMPONENTS.filter((c) => sids(permissions[c].statements).some((sid) => sid.startsWith("PublishTaskFailures")))).toEqual([]);
  });

  it("let the migrate task overwrite only the migration record, and db-clean nothing", () => {
    const permissions = taskRolePermissions(access([]));
    expect(permissions.migrate.statements).toEqual([
      {
        sid: "RecordMigration",
        actions: ["ssm:PutParameter"],
        resources: ["arn:aws:ssm:eu-west-1:111111111111:parameter/airflow/dev/airflow/migration-record"],
      },
    ]);
    expect(permissions.db_clean.statements).toEqual([]);
  });

  it("let the db-clean scheduler run only the db-clean family in this cluster, passing only its two roles", () => {
    const platform = platformRolePermissions(access([]));
    expect(platform.dbCleanScheduler.statements).toEqual([
      {
        sid: "RunScheduledTask",
        actions: ["ecs:RunTask"],
        resources: ["arn:aws:ecs:eu-west-1:111111111111:task-definition/airflow-dev-db-clean:*"],
        conditions: [{ test: "ArnEquals", variable: "ecs:cluster", values: ["arn:aws:ecs:eu-west-1:111111111111:cluster/airflow-dev-cluster"] }],
      },
      {
        sid: "PassScheduledTaskRoles",
        actions: ["iam:PassRole"],
        resources: ["arn:aws:iam::111111111111:role/airflow-dev-task-execution", "arn:aws:iam::111111111111:role/airflow-dev-db-clean-task"],
        conditions: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["ecs-tasks.amazonaws.com"] }],
      },
      { sid: "SendToDeadLetterQueue", actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:eu-west-1:111111111111:airflow-dev-db-clean-dlq"] },
    ]);
  });
});

describe("the metrics collector's task role", () => {
  // GIVEN the dev environment's permissions
  const collector = taskRolePermissions(access([])).metrics_collector;
  const statement = (sid: string) => collector.statements.find((s) => s.sid === sid)!;

  it("lists tasks and services of its own cluster only (a condition: IAM takes no ARN for these lists)", () => {
    expect(statement("ListClusterTasks")).toEqual({
      sid: "ListClusterTasks",
      actions: ["ecs:ListTasks", "ecs:ListServices"],
      resources: ["*"],
      conditions: [{ test: "ArnEquals", variable: "ecs:cluster", values: ["arn:aws:ecs:eu-west-1:111111111111:cluster/airflow-dev-cluster"] }],
    });
  });

  it("describes the tasks, services and container instances of its cluster, task definitions and EC2 instances", () => {
    expect(statement("DescribeClusterTasks").resources).toEqual([
      "arn:aws:ecs:eu-west-1:111111111111:task/airflow-dev-cluster/*",
      "arn:aws:ecs:eu-west-1:111111111111:service/airflow-dev-cluster/*",
      "arn:aws:ecs:eu-west-1:111111111111:container-instance/airflow-dev-cluster/*",
    ]);
    expect(statement("DescribeTargets")).toMatchObject({ actions: ["ecs:DescribeTaskDefinition", "ec2:DescribeInstances"], resources: ["*"] });
  });

  it("writes EMF events into the metrics log group only, and never creates a log group", () => {
    expect(statement("WriteMetricEvents")).toEqual({
      sid: "WriteMetricEvents",
      actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
      resources: ["arn:aws:logs:eu-west-1:111111111111:log-group:/airflow/dev/metrics", "arn:aws:logs:eu-west-1:111111111111:log-group:/airflow/dev/metrics:*"],
    });
    expect(collector.statements.flatMap((s) => s.actions)).not.toContain("logs:CreateLogGroup");
    expect(sids(collector.statements)).toEqual(["ListClusterTasks", "DescribeClusterTasks", "DescribeTargets", "WriteMetricEvents"]);
  });
});
