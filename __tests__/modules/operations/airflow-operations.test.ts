import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { Testing } from "cdktf";
import type { WorkerPoolConfig } from "../../../config/schema";
import { ArnBuilder } from "../../../modules/core/arn";
import { Naming } from "../../../modules/core/naming";
import { AirflowOperations } from "../../../modules/operations/airflow-operations";
import type { OperatedService } from "../../../modules/operations/operated-resources";
import { PUBLISHER_ENV, REDEPLOYER_ENV } from "../../../runtime/lambda";
import { repoEnvironment } from "../../support/synth";

const naming = new Naming("airflow", "dev", "111111111111");
const service = (shortName: string): OperatedService => ({ shortName, serviceName: naming.name(shortName), logGroupName: naming.logGroup(shortName) });
const pool: WorkerPoolConfig = { name: "default", queues: ["default"], concurrency: 8, minCount: 1, maxCount: 4, capacity: "ec2", cpu: 1024, memory: 2048 };

/** Operations of an environment with a scheduler, an api-server and one worker pool, built from the services themselves. */
function synth() {
  return JSON.parse(
    Testing.synthScope((scope) => {
      const scalableTarget = new AppautoscalingTarget(scope, "target", {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: "service/airflow-dev-cluster/airflow-dev-worker-default",
        minCapacity: 1,
        maxCapacity: 4,
      });
      const workers = { ...service("worker-default"), pool, scalableTarget };
      new AirflowOperations(scope, "operations", {
        naming,
        arns: new ArnBuilder({ account: { id: "111111111111", region: "eu-west-1" } }),
        cluster: { name: "airflow-dev-cluster", asgName: "airflow-dev-ec2" },
        services: [service("api-server"), service("scheduler"), workers],
        scheduler: service("scheduler"),
        cadvisor: service("cadvisor"),
        pools: [workers],
        database: {
          instanceId: "airflow-dev-metadata",
          sizing: { instanceClass: "db.t4g.medium", allocatedStorageGb: 20 },
          connection: { host: "db.internal", port: 5432, name: "airflow", masterSecretArn: "arn:db" },
        },
        broker: { replicationGroupId: "airflow-dev-broker", nodeCount: 1 },
        loadBalancer: { arnSuffix: "app/airflow-dev-alb/1", apiTargetGroupArnSuffix: "targetgroup/airflow-dev-alb-api/2" },
        metrics: {
          thresholds: repoEnvironment("dev").alarms.thresholds,
          airflowNamespace: "AirflowEcs/dev/Airflow",
          containerNamespace: "AirflowEcs/dev/Containers",
          collector: { serviceName: naming.name("metrics-collector"), desiredCount: 1 },
        },
        lambdaRoles: { publisher: "arn:publisher", redeployer: "arn:redeployer" },
        lambdaNetwork: { subnetIds: ["subnet-a"], securityGroupIds: ["sg-lambda"] },
        logRetentionDays: 30,
        logsKmsKeyArn: "arn:logs-key",
      });
    }),
  );
}

describe("AirflowOperations", () => {
  const json = synth();
  const all = (type: string) => Object.values(json.resource[type] ?? {}) as Record<string, any>[];
  const fn = (name: string) => all("aws_lambda_function").find((f) => f.function_name === name)!;

  it("redeploys every service it is given, in order, after the database secret rotates", () => {
    // GIVEN the services themselves THEN the redeployer's list holds their ECS names
    const env = fn("airflow-dev-service-redeployer").environment.variables;
    expect(JSON.parse(env[REDEPLOYER_ENV.services])).toEqual(["airflow-dev-api-server", "airflow-dev-scheduler", "airflow-dev-worker-default"]);
  });

  it("counts errors in each service's own log group", () => {
    const filters = all("aws_cloudwatch_log_metric_filter").filter((f) => f.name.endsWith("-errors"));
    expect(filters.map((f) => [f.name, f.log_group_name]).sort()).toEqual([
      ["api-server-errors", "/airflow/dev/api-server"],
      ["scheduler-errors", "/airflow/dev/scheduler"],
      ["worker-default-errors", "/airflow/dev/worker-default"],
    ]);
  });

  it("scales each pool through its own scalable target, and tells the publisher the pool's service", () => {
    // THEN the pool's step policies act on the target it exposes
    const policies = all("aws_appautoscaling_policy");
    expect(policies.map((p) => [p.name, p.resource_id]).sort()).toEqual([
      ["airflow-dev-worker-default-scale-in", "${aws_appautoscaling_target.target.resource_id}"],
      ["airflow-dev-worker-default-scale-out", "${aws_appautoscaling_target.target.resource_id}"],
    ]);
    // AND the publisher samples that pool
    const pools = JSON.parse(fn("airflow-dev-queue-depth-publisher").environment.variables[PUBLISHER_ENV.pools]);
    expect(pools).toEqual([{ name: "default", service: "airflow-dev-worker-default", queues: ["default"], concurrency: 8, minCount: 1, maxCount: 4 }]);
  });

  it("alarms on each service's CPU and memory and on a scheduler that is not running", () => {
    const names = all("aws_cloudwatch_metric_alarm").map((a) => a.alarm_name);
    expect(names).toEqual(
      expect.arrayContaining([
        "airflow-dev-scheduler-not-running",
        "airflow-dev-api-server-cpu",
        "airflow-dev-worker-default-memory",
        "airflow-dev-api-target-5xx",
        "airflow-dev-db-connections",
      ]),
    );
  });
});
