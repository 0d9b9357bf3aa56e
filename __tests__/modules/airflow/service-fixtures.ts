import { TerraformOutput, Testing } from "cdktf";
import type { WorkerPoolConfig } from "../../../config/schema";
import { AirflowService, type AirflowServiceDefaults } from "../../../modules/airflow/airflow-service";
import { WorkerPool } from "../../../modules/airflow/worker-pool";
import type { AirflowRuntime } from "../../../modules/airflow/airflow-settings";
import type { ComponentOptions } from "../../../config/derived/airflow-options";
import { COMPONENTS, type Component } from "../../../runtime/airflow-image";
import { Naming } from "../../../modules/core/naming";

/** A dev environment's runtime, with literal stand-ins for the contract values. */
export const testRuntime: AirflowRuntime = {
  environment: "dev",
  region: "eu-west-1",
  secretPrefix: "airflow/dev",
  auth: { kind: "fab" },
  db: { host: "db.internal", port: 5432, name: "airflow", masterSecretArn: "arn:db", poolSize: 5 },
  broker: { host: "redis.internal", port: 6379, authTokenSecretArn: "arn:redis" },
  secrets: { fernetKey: "arn:fernet", apiSecretKey: "arn:api", jwtSecret: "arn:jwt", adminPassword: "arn:admin", flowerBasicAuth: "arn:flower" },
  taskLogsBucket: "task-logs",
  executionApiUrl: "http://api-server.airflow-dev.internal:8080/execution/",
  jwtIssuer: "airflow-dev",
  forwardedAllowIps: ["10.10.0.0/19", "10.10.32.0/19"],
  options: Object.fromEntries(COMPONENTS.map((c) => [c, { environment: {}, secrets: {} }])) as Record<Component, ComponentOptions>,
  dags: { bundles: [], bucket: "dags" },
};

/** What the services stack hands every Airflow service, for a dev environment. */
export function serviceDefaults(): AirflowServiceDefaults {
  return {
    naming: new Naming("airflow", "dev", "111111111111"),
    image: "111111111111.dkr.ecr.eu-west-1.amazonaws.com/airflow-dev-airflow:3.1.5-1",
    cluster: { clusterArn: "arn:cluster", clusterName: "airflow-dev-cluster", capacityProviderName: "airflow-dev-ec2", subnetIds: ["subnet-a", "subnet-b"] },
    runtime: testRuntime,
    executionRoleArn: "arn:execution",
    dags: { fileSystemId: "fs-1", dagsAccessPointId: "fsap-dags", pluginsAccessPointId: "fsap-plugins" },
    logRetentionDays: 30,
    logsKmsKeyArn: "arn:logs-key",
  };
}

/** A Fargate pool of two queues. */
export const heavyPool: WorkerPoolConfig = {
  name: "heavy",
  queues: ["heavy", "ml"],
  concurrency: 4,
  minCount: 1,
  maxCount: 6,
  capacity: "fargate",
  cpu: 2048,
  memory: 4096,
};

/** A scope holding the heavy pool and a two-task scheduler (its task definition ARN as an output), synthesized. */
export function synthPoolAndScheduler() {
  let built: { pool?: WorkerPool; scheduler?: AirflowService } = {};
  const json = JSON.parse(
    Testing.synthScope((scope) => {
      const p = new WorkerPool(scope, "worker-heavy", { ...serviceDefaults(), pool: heavyPool, securityGroupId: "sg-workers", taskRoleArn: "arn:worker" });
      const scheduler = new AirflowService(scope, "scheduler", {
        ...serviceDefaults(),
        component: "scheduler",
        command: ["scheduler"],
        size: { cpu: 1024, memory: 2048 },
        desiredCount: 2,
        securityGroupId: "sg-services",
        taskRoleArn: "arn:scheduler",
      });
      new TerraformOutput(scope, "scheduler_task_definition", { value: scheduler.taskDefinitionArn });
      built = { pool: p, scheduler };
    }),
  );
  return { json, pool: built.pool!, scheduler: built.scheduler! };
}
