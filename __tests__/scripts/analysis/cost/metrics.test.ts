import { estimateCost, MissingPriceError } from "../../../../scripts/analysis/cost-estimate";
import { tieredMetricCost } from "../../../../scripts/analysis/cost/metrics";
import { EnvironmentModel } from "../../../../scripts/analysis/model";
import { PRICES_EU_WEST_1 } from "../../../../scripts/analysis/prices-eu-west-1";
import { COLLECTOR_CONFIG_VARIABLE, collectorReplicas } from "../../../../modules/metrics/metrics-collector";
import { AIRFLOW_METRIC_CATALOGUE } from "../../../../modules/metrics/airflow-metric-catalogue";
import { CADVISOR_METRICS } from "../../../../modules/metrics/collector-config";
import { repoEnvironments } from "../../../support/synth";
import { environment, item, report } from "./reports";

const t = PRICES_EU_WEST_1;

describe("custom metrics and EMF ingestion", () => {
  describe.each(repoEnvironments().map((c) => [c.name, c] as const))("%s", (name, config) => {
    const r = report(name);
    const stack = `${name}-services`;

    it("counts Airflow's metrics from the collector's declarations: catalogue × dimension values (pools assumed, queues from config)", () => {
      // GIVEN the catalogue and the environment's queues THEN each metric counts once per value of its dimension set
      const queues = new Set(config.workerPools.flatMap((p) => p.queues)).size;
      const values = (set: readonly string[]) => (set.length === 0 ? 1 : set[0] === "pool_name" ? t.usage.airflowPools : queues);
      const expected = AIRFLOW_METRIC_CATALOGUE.reduce((n, m) => n + m.dimensions.reduce((k, set) => k + values(set), 0), 0);
      expect(item(r, stack, `CloudWatch custom metrics: AirflowEcs/${name}/Airflow`)).toMatchObject({
        quantity: expected,
        monthly: Math.round(expected * 30) / 100,
      });
    });

    it("counts the containers' metrics per task family and container cAdvisor sees (services on EC2), never per task", () => {
      // GIVEN the services on the container instances: the core components, EC2 worker pools, cAdvisor and the collector
      const ec2Pools = config.workerPools.filter((p) => !p.capacity.startsWith("fargate")).length;
      const families = 4 + (config.airflow.flower.enabled ? 1 : 0) + ec2Pools + 2;
      const quantity = CADVISOR_METRICS.length * families;
      expect(item(r, stack, `CloudWatch custom metrics: AirflowEcs/${name}/Containers`)).toMatchObject({ quantity, monthly: Math.round(quantity * 30) / 100 });
    });

    it("counts the publisher's nine metrics per worker pool", () => {
      expect(item(r, stack, "CloudWatch custom metrics: AirflowEcs/Queues")).toMatchObject({ quantity: 9 * config.workerPools.length });
    });

    it("estimates EMF ingestion from the datapoints a minute: Airflow's per scheduler, containers' per running container and collector", () => {
      const line = item(r, stack, "CloudWatch EMF log ingestion");
      const airflow = item(r, stack, `CloudWatch custom metrics: AirflowEcs/${name}/Airflow`).quantity * config.airflow.scheduler.desiredCount;
      expect(line.basis).toContain(`${airflow / config.airflow.scheduler.desiredCount} series × ${config.airflow.scheduler.desiredCount} scheduler(s)`);
      expect(line.basis).toContain(`${collectorReplicas(config)} collector(s)`);
      const perMinute = Number(/= (\d+) datapoints\/min/.exec(line.basis)![1]);
      expect(perMinute).toBeGreaterThan(airflow);
      expect(line.monthly).toBeCloseTo(((perMinute * 730 * 60 * t.usage.emfBytesPerDatapoint) / 1024 ** 3) * t.cloudwatchLogsIngestionGb, 1);
      expect(line.monthlyAtMax).toBeGreaterThanOrEqual(line.monthly);
    });

    it("prices the EMF log group by that estimate, not by the 1 GB every other log group is assumed to take", () => {
      const groups = Object.values((environment(name).stacks.find((s) => s.id === stack)!.json.resource as any).aws_cloudwatch_log_group);
      expect(item(r, stack, "CloudWatch Logs ingestion (").quantity).toBe(groups.length - 1);
    });
  });

  it("does not count an alarmed metric twice: the alarm-based count skips the namespaces priced from their publishers", () => {
    // GIVEN prod, whose alarms watch AirflowEcs/Queues and AirflowEcs/prod/Airflow metrics
    // THEN the alarm-based line holds only the log metric filters and the heartbeat
    const line = item(report("prod"), "prod-services", "CloudWatch custom metrics (log metric filters");
    const filters = Object.keys(
      (environment("prod").stacks.find((s) => s.id === "prod-services")!.json.resource as any).aws_cloudwatch_log_metric_filter,
    ).length;
    expect(line.quantity).toBe(filters + 1);
  });

  it("stops with an error naming a dimension it cannot bound (one value per DAG or task)", () => {
    // GIVEN prod's collector with a dag_id dimension added to a declaration
    const env = JSON.parse(JSON.stringify(environment("prod")));
    const services = env.stacks.find((s: { id: string }) => s.id === "prod-services");
    const task = Object.values(services.json.resource.aws_ecs_task_definition as Record<string, any>).find(
      (d) => d.family === "airflow-prod-metrics-collector",
    )!;
    const containers = JSON.parse(task.container_definitions);
    const variable = containers[0].environment.find((e: { name: string }) => e.name === COLLECTOR_CONFIG_VARIABLE);
    const config = JSON.parse(variable.value);
    config.exporters["awsemf/airflow"].metric_declarations[0].dimensions.push(["dag_id"]);
    variable.value = JSON.stringify(config);
    task.container_definitions = JSON.stringify(containers);
    // WHEN estimated THEN it fails naming the set, the collector and what it can bound
    const estimate = () => estimateCost(new EnvironmentModel(env));
    expect(estimate).toThrow(MissingPriceError);
    expect(estimate).toThrow(/^cannot bound the dimension set \[dag_id\] of the metrics collector airflow-prod-metrics-collector \(prod-services\)/);
  });

  it("prices custom metrics by tier, from the rank the stack has reached", () => {
    // GIVEN 5 metrics after 9,998 WHEN priced THEN 2 at $0.30 and 3 at $0.10; far up, the last tier's $0.02
    expect(tieredMetricCost(t, 9_998, 5)).toBeCloseTo(2 * 0.3 + 3 * 0.1, 10);
    expect(tieredMetricCost(t, 0, 10)).toBeCloseTo(3, 10);
    expect(tieredMetricCost(t, 1_000_000, 100)).toBeCloseTo(2, 10);
  });
});
