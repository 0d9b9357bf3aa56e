import { airflowSignalWidgets } from "../../../modules/operations/airflow-dashboard";

describe("dashboard rows on Airflow's signals", () => {
  // GIVEN two worker pools WHEN the rows are built for prod
  const widgets = airflowSignalWidgets("eu-west-1", "prod", ["default", "heavy"], {
    airflowNamespace: "AirflowEcs/prod/Airflow",
    containerNamespace: "AirflowEcs/prod/Containers",
    poolFamilies: [
      { pool: "default", family: "airflow-prod-worker-default" },
      { pool: "heavy", family: "airflow-prod-worker-heavy" },
    ],
  }) as { type: string; properties: Record<string, any> }[];
  const widget = (title: string) => widgets.find((w) => w.properties.title === title)!;

  it("show scheduler, executor, pools, DAG processing, triggerer, failures, latency and each pool's containers", () => {
    expect(widgets.filter((w) => w.type === "metric").map((w) => w.properties.title)).toEqual([
      "Scheduler: heartbeats and loop duration",
      "Executor slots: open, queued, running",
      "Airflow pools: open slots and starving tasks",
      "DAG processing: parse time and import errors",
      "Triggerer: running triggers and capacity left",
      "Task failures, zombies, externally killed, orphans",
      "Scheduling latency: queued to running (s)",
      "Containers on EC2: memory working set, largest per family and container (cAdvisor)",
      "Pool default: worker CPU, memory and throttling (cAdvisor)",
      "Pool heavy: worker CPU, memory and throttling (cAdvisor)",
    ]);
  });

  it("plot p50 and p95 of queued-to-running per pool", () => {
    expect(widget("Scheduling latency: queued to running (s)").properties.metrics).toEqual([
      ["AirflowEcs/Queues", "QueuedToRunningSeconds", "Environment", "prod", "Pool", "default", { stat: "p50", label: "default p50" }],
      ["AirflowEcs/Queues", "QueuedToRunningSeconds", "Environment", "prod", "Pool", "default", { stat: "p95", label: "default p95" }],
      ["AirflowEcs/Queues", "QueuedToRunningSeconds", "Environment", "prod", "Pool", "heavy", { stat: "p50", label: "heavy p50" }],
      ["AirflowEcs/Queues", "QueuedToRunningSeconds", "Environment", "prod", "Pool", "heavy", { stat: "p95", label: "heavy p95" }],
    ]);
  });

  it("find every Airflow pool by searching its pool_name dimension (pools live in Airflow, not in config)", () => {
    const [open] = widget("Airflow pools: open slots and starving tasks").properties.metrics;
    expect(open).toEqual([
      {
        expression: `SEARCH('{AirflowEcs/prod/Airflow,pool_name} MetricName="airflow.pool.open_slots"', 'Maximum', 60)`,
        label: "open slots",
        id: "pool_open_slots",
      },
    ]);
  });

  it("turn a pool's cAdvisor counters into vCPUs and a throttling ratio, statistics two collectors do not distort", () => {
    const metrics = widget("Pool heavy: worker CPU, memory and throttling (cAdvisor)").properties.metrics as unknown[][];
    // THEN the series are the heavy family's worker containers
    const series = metrics.filter((m) => typeof m[0] === "string");
    expect(series.every((m) => m[0] === "AirflowEcs/prod/Containers" && m[3] === "airflow-prod-worker-heavy" && m[5] === "worker")).toBe(true);
    expect(series.map((m) => [m[1], (m[6] as { stat: string }).stat])).toEqual([
      ["container_cpu_usage_seconds_total", "Average"],
      ["container_cpu_usage_seconds_total", "Maximum"],
      ["container_cpu_cfs_throttled_periods_total", "Sum"],
      ["container_cpu_cfs_periods_total", "Sum"],
      ["container_memory_working_set_bytes", "Maximum"],
    ]);
    // AND the expressions: CPU seconds per one-minute scrape / 60, throttled periods over all periods (a ratio of sums)
    expect(metrics.filter((m) => typeof m[0] !== "string").map((m) => (m[0] as { expression: string }).expression)).toEqual([
      "cpuavg / 60",
      "cpumax / 60",
      "100 * throttled / periods",
    ]);
  });
});

describe("a worker pool on Fargate", () => {
  it("gets its latency and failures but no container row: cAdvisor runs on the container instances only", () => {
    // GIVEN a Fargate pool "burst" beside the EC2 pool "default" (only default has a scraped family)
    const widgets = airflowSignalWidgets("eu-west-1", "dev", ["default", "burst"], {
      airflowNamespace: "AirflowEcs/dev/Airflow",
      containerNamespace: "AirflowEcs/dev/Containers",
      poolFamilies: [{ pool: "default", family: "airflow-dev-worker-default" }],
    }) as { properties: Record<string, any> }[];
    const titles = widgets.map((w) => w.properties.title);
    // THEN the latency widget covers both pools, and only default has a container widget
    const latency = widgets.find((w) => w.properties.title === "Scheduling latency: queued to running (s)")!;
    expect(latency.properties.metrics.map((m: unknown[]) => m[5])).toEqual(["default", "default", "burst", "burst"]);
    expect(titles.filter((t) => String(t).startsWith("Pool "))).toEqual(["Pool default: worker CPU, memory and throttling (cAdvisor)"]);
  });
});
