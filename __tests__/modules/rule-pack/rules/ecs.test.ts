import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition, type EcsTaskDefinitionVolume } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { DataTerraformRemoteStateS3, type TerraformStack } from "cdktf";
import { renderContainerDefinitions, type ContainerSpec } from "../../../../modules/ecs/container-task";
import { clusterContainerInsights } from "../../../../modules/rule-pack/rules/ecs/cluster-container-insights";
import { serviceNoPublicIp } from "../../../../modules/rule-pack/rules/ecs/service-no-public-ip";
import { taskAwslogs } from "../../../../modules/rule-pack/rules/ecs/task-awslogs";
import { taskEfsEncryption } from "../../../../modules/rule-pack/rules/ecs/task-efs-encryption";
import { taskNoSecretEnvironment } from "../../../../modules/rule-pack/rules/ecs/task-no-secret-environment";
import { taskNonRootUser } from "../../../../modules/rule-pack/rules/ecs/task-non-root-user";
import { taskNotPrivileged } from "../../../../modules/rule-pack/rules/ecs/task-not-privileged";
import { taskReadonlyRoot } from "../../../../modules/rule-pack/rules/ecs/task-readonly-root";
import { taskSeparateRoles } from "../../../../modules/rule-pack/rules/ecs/task-separate-roles";
import { check } from "../support";

const LOGS = { group: "/airflow/dev/scheduler", region: "eu-west-1", streamPrefix: "scheduler" };
/** A container as this project renders them: uid 50000, read-only root, awslogs. */
const airflow: ContainerSpec = {
  name: "scheduler",
  image: "airflow:3",
  user: "50000:0",
  readonlyRootFilesystem: true,
  memoryReservation: 512,
  environment: { AIRFLOW__CORE__EXECUTOR: "CeleryExecutor" },
};

function task(
  stack: TerraformStack,
  id: string,
  containers: string | ContainerSpec[],
  extra: { volume?: EcsTaskDefinitionVolume[]; taskRoleArn?: string; executionRoleArn?: string } = {},
) {
  return new EcsTaskDefinition(stack, id, {
    family: id,
    containerDefinitions: typeof containers === "string" ? containers : renderContainerDefinitions(containers, LOGS),
    ...extra,
  });
}

describe("CKV_AWS_65 ECS Container Insights", () => {
  test("Noncompliance 1: a cluster without settings", () => {
    // GIVEN a cluster with Container Insights off
    const findings = check(clusterContainerInsights, (stack) => new EcsCluster(stack, "cluster", { name: "c" }));
    // THEN it is reported
    expect(findings).toEqual([
      {
        rule: "CKV_AWS_65",
        address: "aws_ecs_cluster.cluster",
        message: 'Container Insights is off; add setting { name = "containerInsights", value = "enabled" }',
      },
    ]);
  });

  test("Noncompliance 2: Container Insights explicitly disabled", () => {
    // GIVEN containerInsights = disabled
    const findings = check(
      clusterContainerInsights,
      (stack) => new EcsCluster(stack, "cluster", { name: "c", setting: [{ name: "containerInsights", value: "disabled" }] }),
    );
    // THEN it is reported
    expect(findings.map((f) => f.rule)).toEqual(["CKV_AWS_65"]);
  });

  test("Compliance 1: enabled or enhanced", () => {
    // GIVEN both accepted values
    const findings = check(clusterContainerInsights, (stack) => {
      new EcsCluster(stack, "a", { name: "a", setting: [{ name: "containerInsights", value: "enabled" }] });
      new EcsCluster(stack, "b", { name: "b", setting: [{ name: "containerInsights", value: "enhanced" }] });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("CKV_AWS_333 ECS services get no public IP", () => {
  test("Noncompliance 1: assign_public_ip = true", () => {
    // GIVEN an awsvpc service asking for a public IP
    const findings = check(
      serviceNoPublicIp,
      (stack) => new EcsService(stack, "svc", { name: "s", networkConfiguration: { subnets: ["subnet-1"], assignPublicIp: true } }),
    );
    // THEN it is reported
    expect(findings).toEqual([{ rule: "CKV_AWS_333", address: "aws_ecs_service.svc", message: "network_configuration.assign_public_ip is not false" }]);
  });

  test("Compliance 1: private awsvpc and host-network services", () => {
    // GIVEN a private awsvpc service and one without network configuration
    const findings = check(serviceNoPublicIp, (stack) => {
      new EcsService(stack, "private", { name: "p", networkConfiguration: { subnets: ["subnet-1"], assignPublicIp: false } });
      new EcsService(stack, "host", { name: "h" });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("CKV_AWS_334 containers are not privileged (decoded container_definitions)", () => {
  test("Noncompliance 1: one privileged container among two", () => {
    // GIVEN a task whose second container is privileged
    const findings = check(taskNotPrivileged, (stack) => task(stack, "td", [airflow, { ...airflow, name: "sidecar", privileged: true }]));
    // THEN only that container is reported
    expect(findings).toEqual([{ rule: "CKV_AWS_334", address: "aws_ecs_task_definition.td", message: 'container "sidecar" runs privileged' }]);
  });

  test("Compliance 1: no privileged container", () => {
    // GIVEN the project's Airflow container
    // THEN nothing is reported
    expect(check(taskNotPrivileged, (stack) => task(stack, "td", [airflow]))).toEqual([]);
  });
});

describe("CKV_AWS_336 read-only root filesystem (decoded container_definitions)", () => {
  test("Noncompliance 1: readonlyRootFilesystem false, and missing", () => {
    // GIVEN hand-written JSON: one writable container, one without the key
    const findings = check(taskReadonlyRoot, (stack) => task(stack, "td", JSON.stringify([{ name: "a", readonlyRootFilesystem: false }, { name: "b" }])));
    // THEN both are reported
    expect(findings).toEqual([
      {
        rule: "CKV_AWS_336",
        address: "aws_ecs_task_definition.td",
        message: 'container "a" has a writable root filesystem (readonlyRootFilesystem is not true)',
      },
      {
        rule: "CKV_AWS_336",
        address: "aws_ecs_task_definition.td",
        message: 'container "b" has a writable root filesystem (readonlyRootFilesystem is not true)',
      },
    ]);
  });

  test("Compliance 1: read-only root", () => {
    // GIVEN the project's Airflow container
    // THEN nothing is reported
    expect(check(taskReadonlyRoot, (stack) => task(stack, "td", [airflow]))).toEqual([]);
  });
});

describe("AIRFLOW_ECS_NON_ROOT_USER containers run as a non-root user", () => {
  test("Noncompliance 1: no user, uid 0 and the root name", () => {
    // GIVEN three containers running as root in three ways
    const findings = check(taskNonRootUser, (stack) =>
      task(stack, "td", [
        { ...airflow, name: "default", user: undefined },
        { ...airflow, name: "uid0", user: "0:0" },
        { ...airflow, name: "named", user: "root" },
      ]),
    );
    // THEN each is reported
    expect(findings).toEqual([
      {
        rule: "AIRFLOW_ECS_NON_ROOT_USER",
        address: "aws_ecs_task_definition.td",
        message: 'container "default" sets no user and runs as the image\'s default user (often root); set e.g. "50000:0"',
      },
      { rule: "AIRFLOW_ECS_NON_ROOT_USER", address: "aws_ecs_task_definition.td", message: 'container "uid0" runs as root (user "0:0")' },
      { rule: "AIRFLOW_ECS_NON_ROOT_USER", address: "aws_ecs_task_definition.td", message: 'container "named" runs as root (user "root")' },
    ]);
  });

  test("Compliance 1: uid 50000 with gid 0", () => {
    // GIVEN the official image's user (uid 50000, gid 0)
    // THEN nothing is reported: only the uid decides
    expect(check(taskNonRootUser, (stack) => task(stack, "td", [airflow]))).toEqual([]);
  });
});

describe("AwsSolutions-ECS7 every container logs through awslogs", () => {
  test("Noncompliance 1: no log configuration, and another driver", () => {
    // GIVEN hand-written JSON without awslogs
    const findings = check(taskAwslogs, (stack) =>
      task(stack, "td", JSON.stringify([{ name: "a" }, { name: "b", logConfiguration: { logDriver: "json-file" } }])),
    );
    // THEN both are reported
    expect(findings).toEqual([
      { rule: "AwsSolutions-ECS7", address: "aws_ecs_task_definition.td", message: 'container "a" logs through no log driver; use "awslogs"' },
      { rule: "AwsSolutions-ECS7", address: "aws_ecs_task_definition.td", message: 'container "b" logs through "json-file"; use "awslogs"' },
    ]);
  });

  test("Compliance 1: renderContainerDefinitions sets awslogs on every container", () => {
    // GIVEN two rendered containers
    // THEN nothing is reported
    expect(check(taskAwslogs, (stack) => task(stack, "td", [airflow, { ...airflow, name: "init" }]))).toEqual([]);
  });
});

describe("CKV_AWS_97 EFS volumes: TLS and IAM authorization", () => {
  test("Noncompliance 1: an EFS volume without TLS, IAM or access point", () => {
    // GIVEN a bare EFS volume
    const findings = check(taskEfsEncryption, (stack) =>
      task(stack, "td", [airflow], { volume: [{ name: "dags", efsVolumeConfiguration: { fileSystemId: "fs-1" } }] }),
    );
    // THEN each gap is reported
    expect(findings).toEqual([
      { rule: "CKV_AWS_97", address: "aws_ecs_task_definition.td", message: 'EFS volume "dags" does not enable transit_encryption' },
      { rule: "CKV_AWS_97", address: "aws_ecs_task_definition.td", message: 'EFS volume "dags" does not enable IAM authorization (authorization_config.iam)' },
      {
        rule: "CKV_AWS_97",
        address: "aws_ecs_task_definition.td",
        message: 'EFS volume "dags" mounts without an access point (authorization_config.access_point_id)',
      },
    ]);
  });

  test("Compliance 1: TLS, IAM and an access point; non-EFS volumes are ignored", () => {
    // GIVEN the project's DAG volume and a scratch volume
    const findings = check(taskEfsEncryption, (stack) =>
      task(stack, "td", [airflow], {
        volume: [
          { name: "tmp" },
          {
            name: "dags",
            efsVolumeConfiguration: { fileSystemId: "fs-1", transitEncryption: "ENABLED", authorizationConfig: { accessPointId: "fsap-1", iam: "ENABLED" } },
          },
        ],
      }),
    );
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("CKV_AWS_249 task role differs from execution role", () => {
  test("Noncompliance 1: the same role through two references", () => {
    // GIVEN both ARNs read separately from the same remote-state output (two distinct tokens)
    const findings = check(taskSeparateRoles, (stack) => {
      const iam = new DataTerraformRemoteStateS3(stack, "iam_contract", { bucket: "b", key: "dev/iam.tfstate", region: "eu-west-1" });
      task(stack, "td", [airflow], { taskRoleArn: iam.getString("role_arn"), executionRoleArn: iam.getString("role_arn") });
    });
    // THEN the resolved references are compared and reported
    expect(findings).toEqual([
      { rule: "CKV_AWS_249", address: "aws_ecs_task_definition.td", message: "task_role_arn and execution_role_arn are the same role" },
    ]);
  });

  test("Compliance 1: two roles", () => {
    // GIVEN separate task and execution roles
    const findings = check(taskSeparateRoles, (stack) => {
      const trust = JSON.stringify({ Version: "2012-10-17", Statement: [] });
      const a = new IamRole(stack, "task-role", { assumeRolePolicy: trust });
      const b = new IamRole(stack, "execution-role", { assumeRolePolicy: trust });
      task(stack, "td", [airflow], { taskRoleArn: a.arn, executionRoleArn: b.arn });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("AIRFLOW_ECS_NO_SECRET_ENVIRONMENT secrets come through `secrets`, never `environment`", () => {
  test("Noncompliance 1: a Fernet key, a broker URL and a password in a connection URI", () => {
    // GIVEN secret-looking names and a URL with a password in plain environment values
    const findings = check(taskNoSecretEnvironment, (stack) =>
      task(stack, "td", [
        {
          ...airflow,
          environment: {
            AIRFLOW__CORE__FERNET_KEY: "x",
            AIRFLOW__CELERY__BROKER_URL: "rediss://redis:6379/0",
            AIRFLOW_CONN_WAREHOUSE: "postgresql://etl:hunter2@db:5432/dwh",
          },
        },
      ]),
    );
    // THEN each is reported
    expect(findings).toEqual([
      {
        rule: "AIRFLOW_ECS_NO_SECRET_ENVIRONMENT",
        address: "aws_ecs_task_definition.td",
        message: 'container "scheduler": environment AIRFLOW__CELERY__BROKER_URL looks secret; inject it through "secrets" (valueFrom)',
      },
      {
        rule: "AIRFLOW_ECS_NO_SECRET_ENVIRONMENT",
        address: "aws_ecs_task_definition.td",
        message: 'container "scheduler": environment AIRFLOW__CORE__FERNET_KEY looks secret; inject it through "secrets" (valueFrom)',
      },
      {
        rule: "AIRFLOW_ECS_NO_SECRET_ENVIRONMENT",
        address: "aws_ecs_task_definition.td",
        message: 'container "scheduler": environment AIRFLOW_CONN_WAREHOUSE contains a URL with an embedded password',
      },
    ]);
  });

  test("Compliance 1: secrets through valueFrom; the backend settings and pointers to secrets are not secrets", () => {
    // GIVEN the project's split: secret values in `secrets`, backend class, kwargs and a secret ARN in `environment`
    const findings = check(taskNoSecretEnvironment, (stack) =>
      task(stack, "td", [
        {
          ...airflow,
          environment: {
            AIRFLOW__SECRETS__BACKEND: "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend",
            AIRFLOW__SECRETS__BACKEND_KWARGS: '{"connections_prefix":"airflow/dev/connections"}',
            AIRFLOW__API_AUTH__JWT_ISSUER: "airflow-dev",
            AIRFLOW_ECS_DB_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:rds!db-1",
            AIRFLOW__LOGGING__REMOTE_LOG_CONN_ID: "aws_default",
          },
          secrets: { AIRFLOW__CORE__FERNET_KEY: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:airflow/dev/fernet-key" },
        },
      ]),
    );
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});
