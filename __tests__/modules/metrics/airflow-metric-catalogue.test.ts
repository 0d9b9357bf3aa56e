import { AIRFLOW_METRIC_CATALOGUE, airflowMetricDeclarations, exactPattern, metricsAllowList } from "../../../modules/metrics/airflow-metric-catalogue";

/** How Airflow applies `metrics_allow_list`: each entry is a regular expression searched anywhere in the stat name. */
const airflowAllows = (allowList: string, stat: string): boolean => allowList.split(",").some((entry) => new RegExp(entry).test(stat.toLowerCase()));

describe("the Airflow metric allow-list", () => {
  const allowList = metricsAllowList();

  it("lets through exactly the catalogue's tagged names", () => {
    // GIVEN the allow-list Airflow receives WHEN Airflow matches its stat names against it
    // THEN every catalogue name passes
    for (const metric of AIRFLOW_METRIC_CATALOGUE) expect([metric.name, airflowAllows(allowList, metric.name)]).toEqual([metric.name, true]);
  });

  it.each([
    ["pool.open_slots.default_pool", "the legacy form that puts the pool into the name"],
    ["dag.etl.extract.duration", "a per-task legacy timer"],
    ["ti.finish.etl.extract.success", "a per-task legacy counter"],
    ["scheduler.tasks.starving_extra", "a longer name sharing a prefix"],
    ["dagrun.duration.success.etl", "a name outside the catalogue"],
  ])("keeps out %s (%s)", (stat) => {
    expect(airflowAllows(allowList, stat)).toBe(false);
  });

  it("is a comma-separated list Airflow can split: no entry holds a comma", () => {
    expect(allowList.split(",")).toHaveLength(AIRFLOW_METRIC_CATALOGUE.length);
  });

  it("holds names Airflow's OTel logger accepts: letters, digits, _ . - / and at most 255 characters with the prefix", () => {
    for (const metric of AIRFLOW_METRIC_CATALOGUE) {
      expect(`airflow.${metric.name}`).toMatch(/^[A-Za-z0-9_.\-/]{1,255}$/);
    }
    expect(new Set(AIRFLOW_METRIC_CATALOGUE.map((m) => m.name)).size).toBe(AIRFLOW_METRIC_CATALOGUE.length);
  });

  it("escapes the dots of a name, so `.` matches only a dot", () => {
    expect(exactPattern("pool.open_slots")).toBe("^pool\\.open_slots$");
    expect(new RegExp(exactPattern("pool.open_slots")).test("poolXopen_slots")).toBe(false);
  });
});

describe("the collector's metric declarations", () => {
  it("group the catalogue by dimension sets, selecting each prefixed name exactly", () => {
    // GIVEN a catalogue with two global metrics and one per pool
    const declarations = airflowMetricDeclarations([
      { name: "scheduler_heartbeat", kind: "counter", dimensions: [[]], meaning: "" },
      { name: "pool.open_slots", kind: "gauge", dimensions: [["pool_name"]], meaning: "" },
      { name: "executor.open_slots", kind: "gauge", dimensions: [[]], meaning: "" },
    ]);
    // THEN one declaration per dimension-set list, in first-seen order
    expect(declarations).toEqual([
      { dimensions: [[]], metric_name_selectors: ["^airflow\\.scheduler_heartbeat$", "^airflow\\.executor\\.open_slots$"] },
      { dimensions: [["pool_name"]], metric_name_selectors: ["^airflow\\.pool\\.open_slots$"] },
    ]);
  });

  it("never declares a per-task dimension (dag_id, task_id, hostname): each would make one metric per task", () => {
    const dimensions = AIRFLOW_METRIC_CATALOGUE.flatMap((m) => m.dimensions.flat());
    expect([...new Set(dimensions)].sort()).toEqual(["pool_name", "queue"]);
  });

  it("keeps the metrics 3.1.5 lacks, marked, so they light up after an upgrade", () => {
    expect(AIRFLOW_METRIC_CATALOGUE.filter((m) => m.notIn315).map((m) => m.name)).toEqual(["task.queued_duration", "ti_failures"]);
  });
});
