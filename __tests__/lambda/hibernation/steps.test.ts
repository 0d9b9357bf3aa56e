import { RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import { UpdateAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeAlarmsCommand, DisableAlarmActionsCommand, EnableAlarmActionsCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { DescribeReplicationGroupsCommand } from "@aws-sdk/client-elasticache";
import { DescribeDBInstancesCommand, StartDBInstanceCommand, StopDBInstanceCommand } from "@aws-sdk/client-rds";
import { PutParameterCommand } from "@aws-sdk/client-ssm";
import { runStep } from "../../../lambda/hibernation";
import { DB_CLEAN_SCHEDULE, inputs, mocks, PLAN, resetMocks, scheduler, stateIs, step, clients } from "./plan";

beforeEach(resetMocks);

const counts = (running: Record<string, number>) =>
  mocks.ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
    services: input.services.map((name) => ({ serviceName: name, runningCount: running[name] ?? 0, pendingCount: 0 })),
    failures: [],
  }));
const database = (status: string) => mocks.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceStatus: status }] });

describe("begin", () => {
  it("hibernate: records the target state, then mutes every planned alarm", async () => {
    // GIVEN 150 alarms (CloudWatch takes 100 names per call)
    const plan = { ...PLAN, alarms: Array.from({ length: 150 }, (_, i) => `airflow-dev-alarm-${i}`) };
    // WHEN the first step runs
    const result = await runStep({ step: "begin", action: "hibernate", plan }, clients());
    // THEN the parameter says hibernating and the alarms' actions are disabled in two calls
    expect(inputs(mocks.ssm, PutParameterCommand)).toEqual([{ Name: "/airflow/dev/hibernation", Value: "hibernating", Type: "String", Overwrite: true }]);
    expect(inputs(mocks.cloudWatch, DisableAlarmActionsCommand).map((i) => i.AlarmNames.length)).toEqual([100, 50]);
    expect(result).toEqual({ done: true, detail: "state set to hibernating; muted 150 alarms" });
  });

  it("wake: records the target state and leaves the alarms muted until the end", async () => {
    expect(await step("begin", "wake")).toEqual({ done: true, detail: "state set to awake" });
    expect(inputs(mocks.ssm, PutParameterCommand)[0].Value).toBe("awake");
    expect(mocks.cloudWatch.calls()).toHaveLength(0);
  });
});

describe("a superseded execution", () => {
  it("stops at its next step without touching anything, with the error the state machine routes on", async () => {
    // GIVEN a wake-up started while this hibernation was waiting
    stateIs("awake");
    // WHEN the hibernation's next step runs THEN it fails as superseded and nothing is scaled
    await expect(step("stop-serving", "hibernate")).rejects.toMatchObject({
      name: "HibernationSuperseded",
      message: '/airflow/dev/hibernation is "awake", not "hibernating": a later action took over; hibernate stops here',
    });
    expect(mocks.ecs.calls()).toHaveLength(0);
  });
});

describe("hibernating", () => {
  beforeEach(() => stateIs("hibernating"));

  it("stops the scheduling services first, alone", async () => {
    const result = await step("stop-scheduling", "hibernate");
    expect(inputs(mocks.ecs, UpdateServiceCommand)).toEqual([
      { cluster: "airflow-dev-cluster", service: "airflow-dev-scheduler", desiredCount: 0 },
      { cluster: "airflow-dev-cluster", service: "airflow-dev-dag-processor", desiredCount: 0 },
    ]);
    expect(result.detail).toBe("desired counts: airflow-dev-scheduler=0, airflow-dev-dag-processor=0");
  });

  it("sets the pools' scaling bounds to 0-0, so autoscaling neither keeps nor adds workers", async () => {
    await step("stop-pools", "hibernate");
    expect(inputs(mocks.applicationAutoScaling, RegisterScalableTargetCommand)).toEqual([
      {
        ServiceNamespace: "ecs",
        ScalableDimension: "ecs:service:DesiredCount",
        ResourceId: "service/airflow-dev-cluster/airflow-dev-worker-default",
        MinCapacity: 0,
        MaxCapacity: 0,
      },
    ]);
  });

  it("waits for busy workers, and goes on after the drain budget", async () => {
    counts({ "airflow-dev-worker-default": 2 });
    expect(await step("pools-stopped", "hibernate", 10)).toEqual({ done: false, detail: "waiting for airflow-dev-worker-default (2 running, 0 pending)" });
    expect(await step("pools-stopped", "hibernate", 81)).toEqual({
      done: true,
      detail: "gave up waiting after 81 minutes, going on with tasks still running: airflow-dev-worker-default (2 running, 0 pending)",
    });
    counts({});
    expect(await step("pools-stopped", "hibernate", 12)).toEqual({ done: true, detail: "every worker pool is at 0 tasks" });
  });

  it("then stops the serving services and waits for every service to stop", async () => {
    await step("stop-serving", "hibernate");
    expect(inputs(mocks.ecs, UpdateServiceCommand).map((i) => `${i.service}=${i.desiredCount}`)).toEqual([
      "airflow-dev-api-server=0",
      "airflow-dev-cadvisor=0",
    ]);
    counts({ "airflow-dev-cadvisor": 1 });
    expect((await step("services-stopped", "hibernate", 5)).done).toBe(false);
    expect(inputs(mocks.ecs, DescribeServicesCommand)[0].services).toEqual([
      "airflow-dev-scheduler",
      "airflow-dev-dag-processor",
      "airflow-dev-api-server",
      "airflow-dev-cadvisor",
      "airflow-dev-worker-default",
    ]);
    expect((await step("services-stopped", "hibernate", 21)).detail).toMatch(/^gave up waiting after 21 minutes, going on with: airflow-dev-cadvisor/);
  });

  it("empties both container-instance groups", async () => {
    await step("stop-capacity", "hibernate");
    expect(inputs(mocks.autoScaling, UpdateAutoScalingGroupCommand)).toEqual([
      { AutoScalingGroupName: "airflow-dev-ec2", MinSize: 0, MaxSize: 0, DesiredCapacity: 0 },
      { AutoScalingGroupName: "airflow-dev-ec2-spot", MinSize: 0, MaxSize: 0, DesiredCapacity: 0 },
    ]);
  });

  it("stops an available database, and leaves a stopped or stopping one alone", async () => {
    database("available");
    expect(await step("stop-database", "hibernate")).toEqual({ done: true, detail: "stopping airflow-dev-db" });
    expect(inputs(mocks.rds, StopDBInstanceCommand)).toEqual([{ DBInstanceIdentifier: "airflow-dev-db" }]);
    mocks.rds.reset();
    database("stopping");
    expect(await step("stop-database", "hibernate")).toEqual({ done: true, detail: "airflow-dev-db is stopping" });
    expect(inputs(mocks.rds, StopDBInstanceCommand)).toEqual([]);
  });

  it("waits out a backup before stopping, and fails after 45 minutes", async () => {
    database("backing-up");
    expect(await step("stop-database", "hibernate", 3)).toEqual({
      done: false,
      detail: "airflow-dev-db is backing-up; waiting for it to be available before stopping it",
    });
    await expect(step("stop-database", "hibernate", 46)).rejects.toMatchObject({
      name: "HibernationTimedOut",
      message: 'airflow-dev-db is still "backing-up" after 46 minutes (limit 45)',
    });
  });
});

describe("the schedules", () => {
  /** Every field GetSchedule answered but the read-only ones (ARN, creation and modification dates), in `state`. */
  const writtenBack = (state: string) => {
    const { Arn: _arn, CreationDate: _created, LastModificationDate: _modified, ...fields } = DB_CLEAN_SCHEDULE;
    return { ...fields, State: state };
  };

  it("hibernating: disables each enabled schedule, writing back every field it read with only the state changed", async () => {
    // GIVEN the db-clean schedule enabled (every field set) and the exports schedule disabled
    stateIs("hibernating");
    // WHEN the step runs
    const result = await step("pause-schedules", "hibernate");
    // THEN both are read in their groups, and only db-clean is updated, with the whole schedule it read
    expect(scheduler.gets).toEqual([
      { Name: "airflow-dev-db-clean", GroupName: "default" },
      { Name: "airflow-dev-exports", GroupName: "airflow-dev" },
    ]);
    expect(scheduler.updates).toEqual([writtenBack("DISABLED")]);
    expect(Object.keys(scheduler.updates[0]).sort()).toEqual(
      [
        "ActionAfterCompletion",
        "Description",
        "EndDate",
        "FlexibleTimeWindow",
        "GroupName",
        "KmsKeyArn",
        "Name",
        "ScheduleExpression",
        "ScheduleExpressionTimezone",
        "StartDate",
        "State",
        "Target",
      ].sort(),
    );
    // AND the scheduler, which replaces a schedule whole, holds it unchanged but for its state
    expect(scheduler.schedule("airflow-dev-db-clean")).toEqual({ ...DB_CLEAN_SCHEDULE, State: "DISABLED", LastModificationDate: expect.any(Date) });
    expect(result).toEqual({ done: true, detail: "schedules: airflow-dev-db-clean=DISABLED, airflow-dev/airflow-dev-exports already DISABLED" });
  });

  it("hibernating again writes nothing: a repeated step finds them disabled", async () => {
    stateIs("hibernating");
    await step("pause-schedules", "hibernate");
    const again = await step("pause-schedules", "hibernate");
    expect(scheduler.updates).toHaveLength(1);
    expect(again.detail).toBe("schedules: airflow-dev-db-clean already DISABLED, airflow-dev/airflow-dev-exports already DISABLED");
  });

  it("waking up: re-enables only the schedules Terraform configures ENABLED, and a repeat writes nothing", async () => {
    // GIVEN hibernation paused the db-clean schedule; the exports schedule is configured DISABLED
    stateIs("hibernating");
    await step("pause-schedules", "hibernate");
    stateIs("awake");
    scheduler.gets.length = 0;
    scheduler.updates.length = 0;
    // WHEN waking up resumes them (twice: a retried step)
    const result = await step("resume-schedules", "wake");
    await step("resume-schedules", "wake");
    // THEN db-clean is enabled again, whole, once; the exports schedule is neither read nor enabled
    expect(scheduler.updates).toEqual([writtenBack("ENABLED")]);
    expect(scheduler.gets.map((g) => g.Name)).toEqual(["airflow-dev-db-clean", "airflow-dev-db-clean"]);
    expect(scheduler.schedule("airflow-dev-db-clean")).toEqual({ ...DB_CLEAN_SCHEDULE, LastModificationDate: expect.any(Date) });
    expect(scheduler.schedule("airflow-dev-exports", "airflow-dev")!.State).toBe("DISABLED");
    expect(result).toEqual({ done: true, detail: "schedules: airflow-dev-db-clean=ENABLED, airflow-dev/airflow-dev-exports left DISABLED (configured so)" });
  });

  it("says so when the stack has no schedule, and fails on a schedule the scheduler does not have", async () => {
    stateIs("hibernating");
    expect(await step("pause-schedules", "hibernate", 0, { ...PLAN, schedules: [] })).toEqual({ done: true, detail: "no schedules to pause" });
    scheduler.reset([]);
    await expect(step("pause-schedules", "hibernate")).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("a superseded execution touches no schedule", async () => {
    stateIs("awake");
    await expect(step("pause-schedules", "hibernate")).rejects.toMatchObject({ name: "HibernationSuperseded" });
    expect([scheduler.gets, scheduler.updates]).toEqual([[], []]);
  });
});

describe("keeping the database stopped", () => {
  it("stops a database RDS restarted after seven days, once it is available", async () => {
    stateIs("hibernating");
    database("starting");
    expect((await step("stop-database", "keep-stopped", 4)).done).toBe(false);
    mocks.rds.reset();
    database("available");
    expect(await step("stop-database", "keep-stopped", 9)).toEqual({ done: true, detail: "stopping airflow-dev-db" });
  });

  it("does nothing while the environment is awake (a wake-up started it on purpose)", async () => {
    stateIs("awake");
    await expect(step("stop-database", "keep-stopped")).rejects.toMatchObject({ name: "HibernationSuperseded" });
    expect(mocks.rds.calls()).toHaveLength(0);
  });
});

describe("waking up", () => {
  beforeEach(() => stateIs("awake"));

  it("starts a stopped database and waits until it is available; a database still stopping is waited for first", async () => {
    database("stopped");
    expect(await step("start-database", "wake")).toEqual({ done: false, detail: "starting airflow-dev-db" });
    expect(inputs(mocks.rds, StartDBInstanceCommand)).toEqual([{ DBInstanceIdentifier: "airflow-dev-db" }]);
    mocks.rds.reset();
    database("stopping");
    expect(await step("start-database", "wake", 2)).toEqual({ done: false, detail: "airflow-dev-db is stopping; waiting for it to be available" });
    mocks.rds.reset();
    database("available");
    expect(await step("start-database", "wake", 8)).toEqual({ done: true, detail: "airflow-dev-db is available" });
    expect(inputs(mocks.rds, StartDBInstanceCommand)).toEqual([]);
  });

  it("fails when the database is not available within 45 minutes", async () => {
    database("starting");
    await expect(step("start-database", "wake", 50)).rejects.toMatchObject({ name: "HibernationTimedOut" });
  });

  it("checks the broker, failing after 20 minutes", async () => {
    mocks.elastiCache
      .on(DescribeReplicationGroupsCommand, { ReplicationGroupId: "airflow-dev-broker" })
      .resolves({ ReplicationGroups: [{ Status: "modifying" }] });
    expect(await step("broker-available", "wake", 1)).toEqual({ done: false, detail: "airflow-dev-broker is modifying; waiting for it to be available" });
    await expect(step("broker-available", "wake", 21)).rejects.toThrow('the broker airflow-dev-broker is still "modifying" after 21 minutes (limit 20)');
  });

  it("restores the groups' bounds and leaves their desired capacity to ECS", async () => {
    await step("start-capacity", "wake");
    expect(inputs(mocks.autoScaling, UpdateAutoScalingGroupCommand)).toEqual([
      { AutoScalingGroupName: "airflow-dev-ec2", MinSize: 1, MaxSize: 3 },
      { AutoScalingGroupName: "airflow-dev-ec2-spot", MinSize: 0, MaxSize: 2 },
    ]);
  });

  it("starts the scheduling and serving services at their configured counts", async () => {
    await step("start-services", "wake");
    expect(inputs(mocks.ecs, UpdateServiceCommand).map((i) => `${i.service}=${i.desiredCount}`)).toEqual([
      "airflow-dev-scheduler=1",
      "airflow-dev-dag-processor=1",
      "airflow-dev-api-server=2",
      "airflow-dev-cadvisor=5",
    ]);
  });

  it("waits for the services to run, except the per-host daemon, and fails after 30 minutes", async () => {
    counts({ "airflow-dev-scheduler": 1, "airflow-dev-dag-processor": 1, "airflow-dev-api-server": 1 });
    expect(await step("services-running", "wake", 4)).toEqual({ done: false, detail: "waiting for airflow-dev-api-server (1 of 2)" });
    expect(inputs(mocks.ecs, DescribeServicesCommand)[0].services).not.toContain("airflow-dev-cadvisor");
    await expect(step("services-running", "wake", 31)).rejects.toThrow("services not running after 31 minutes (limit 30): airflow-dev-api-server (1 of 2)");
    counts({ "airflow-dev-scheduler": 1, "airflow-dev-dag-processor": 1, "airflow-dev-api-server": 2 });
    expect((await step("services-running", "wake", 6)).done).toBe(true);
  });

  it("restores the pools' scaling bounds last", async () => {
    await step("start-pools", "wake");
    expect(inputs(mocks.applicationAutoScaling, RegisterScalableTargetCommand)[0]).toMatchObject({ MinCapacity: 1, MaxCapacity: 4 });
  });

  it("waits for a heartbeat, and after 30 minutes re-arms anyway", async () => {
    mocks.cloudWatch.on(DescribeAlarmsCommand, { AlarmNames: ["airflow-dev-heartbeat"] }).resolves({ MetricAlarms: [{ StateValue: "ALARM" }] });
    expect((await step("heartbeat-ok", "wake", 10)).done).toBe(false);
    expect(await step("heartbeat-ok", "wake", 31)).toEqual({
      done: true,
      detail: "airflow-dev-heartbeat is still ALARM after 31 minutes; re-arming the alarms so it notifies",
    });
  });

  it("re-arms the alarms: those still in ALARM are reset to OK first, so a condition that persists notifies again", async () => {
    mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: "airflow-dev-scheduler-not-running", StateValue: "ALARM" }] });
    const result = await step("rearm-alarms", "wake");
    expect(inputs(mocks.cloudWatch, DescribeAlarmsCommand)).toEqual([{ AlarmNames: PLAN.alarms, StateValue: "ALARM", MaxRecords: 100 }]);
    expect(inputs(mocks.cloudWatch, SetAlarmStateCommand)).toEqual([
      { AlarmName: "airflow-dev-scheduler-not-running", StateValue: "OK", StateReason: "Re-armed after hibernation: evaluated again from now on" },
    ]);
    expect(inputs(mocks.cloudWatch, EnableAlarmActionsCommand)).toEqual([{ AlarmNames: PLAN.alarms }]);
    expect(result.detail).toBe("re-armed 3 alarms; reset from ALARM to OK: airflow-dev-scheduler-not-running");
  });
});

describe("errors", () => {
  it("names a service ECS cannot describe", async () => {
    stateIs("hibernating");
    mocks.ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: "airflow-dev-worker-default", reason: "MISSING" }] });
    await expect(step("pools-stopped", "hibernate")).rejects.toThrow("ECS could not describe airflow-dev-worker-default (MISSING) in airflow-dev-cluster");
  });

  it("refuses an unknown step and a waiting step sent no start time", async () => {
    await expect(runStep({ step: "nap" as never, action: "hibernate", plan: PLAN }, clients())).rejects.toThrow('unknown step "nap"; expected one of begin,');
    stateIs("hibernating");
    counts({ "airflow-dev-worker-default": 1 });
    await expect(runStep({ step: "pools-stopped", action: "hibernate", plan: PLAN }, clients())).rejects.toThrow(
      'step pools-stopped waits but was sent no "since"',
    );
  });
});

describe("handler", () => {
  it("runs the step with its own clients and logs the result as one JSON line", async () => {
    // GIVEN the Lambda entry point (its clients are the mocked classes)
    const { handler } = await import("../../../lambda/hibernation");
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: "x", AWS_SECRET_ACCESS_KEY: "y" });
    const logged: string[] = [];
    const log = jest.spyOn(console, "log").mockImplementation((line: string) => void logged.push(line));
    try {
      stateIs("hibernating");
      // WHEN invoked with a step THEN it answers the step's result and logs it
      expect(await handler({ step: "stop-capacity", action: "hibernate", plan: PLAN })).toEqual({
        done: true,
        detail: "group bounds: airflow-dev-ec2=0-0, airflow-dev-ec2-spot=0-0",
      });
      expect(logged.map((l) => JSON.parse(l))).toEqual([
        { level: "INFO", message: "group bounds: airflow-dev-ec2=0-0, airflow-dev-ec2-spot=0-0", step: "stop-capacity", action: "hibernate", done: true },
      ]);
    } finally {
      log.mockRestore();
      process.env = saved;
    }
  });
});
