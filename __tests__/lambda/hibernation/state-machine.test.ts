import { RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import { UpdateAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeAlarmsCommand, DisableAlarmActionsCommand, EnableAlarmActionsCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { DescribeReplicationGroupsCommand } from "@aws-sdk/client-elasticache";
import { DescribeDBInstancesCommand, StartDBInstanceCommand, StopDBInstanceCommand } from "@aws-sdk/client-rds";
import { GetParameterCommand, PutParameterCommand } from "@aws-sdk/client-ssm";
import { hibernationDefinition } from "../../../modules/operations/hibernation-definition";
import { interpret } from "./interpreter";
import { clients, mocks, PLAN, resetMocks, scheduler } from "./plan";

/**
 * The state machine's definition run against mocked AWS that behaves like a small environment: services reach their
 * desired count at once, the database takes two checks to start, the state parameter remembers what it was told,
 * the scheduler holds the plan's schedules (db-clean enabled, exports configured and left disabled).
 */
const definition = hibernationDefinition({
  functionArn: "arn:aws:lambda:eu-west-1:111111111111:function:airflow-dev-hibernation-steps",
  publisherRule: "airflow-dev-queue-depth-publisher",
  plan: PLAN,
});
const START = new Date("2026-01-16T19:00:00.000Z");

/** A fake environment; `calls` lists the AWS writes in order. */
function environment(options: { database: string; broker?: string; heartbeat?: string; state?: string }) {
  const calls: string[] = [];
  const desired = new Map<string, number>();
  let state = options.state ?? "awake";
  let database = options.database;
  let startingChecks = 0;
  mocks.ssm.on(GetParameterCommand).callsFake(() => ({ Parameter: { Value: state } }));
  mocks.ssm.on(PutParameterCommand).callsFake((input) => {
    state = input.Value;
    calls.push(`state=${state}`);
    return {};
  });
  const record = (label: (input: any) => string) => (input: any) => {
    calls.push(label(input));
    return {};
  };
  mocks.cloudWatch.on(DisableAlarmActionsCommand).callsFake(record(() => "mute alarms"));
  mocks.cloudWatch.on(EnableAlarmActionsCommand).callsFake(record(() => "enable alarms"));
  mocks.cloudWatch.on(SetAlarmStateCommand).callsFake(record((input) => `reset ${input.AlarmName}`));
  mocks.cloudWatch
    .on(DescribeAlarmsCommand)
    .callsFake((input) =>
      input.StateValue === "ALARM"
        ? { MetricAlarms: options.heartbeat === "ALARM" ? [{ AlarmName: PLAN.heartbeatAlarm, StateValue: "ALARM" }] : [] }
        : { MetricAlarms: [{ AlarmName: PLAN.heartbeatAlarm, StateValue: options.heartbeat ?? "OK" }] },
    );
  mocks.ecs.on(UpdateServiceCommand).callsFake((input) => {
    desired.set(input.service, input.desiredCount);
    calls.push(`${input.service}=${input.desiredCount}`);
    return {};
  });
  mocks.ecs.on(DescribeServicesCommand).callsFake((input) => ({
    services: input.services.map((name: string) => ({ serviceName: name, runningCount: desired.get(name) ?? 0, pendingCount: 0 })),
  }));
  mocks.applicationAutoScaling.on(RegisterScalableTargetCommand).callsFake((input) => {
    const service = input.ResourceId.split("/")[2];
    desired.set(service, input.MinCapacity);
    calls.push(`${service} bounds ${input.MinCapacity}-${input.MaxCapacity}`);
    return {};
  });
  scheduler.onUpdate = (input) => calls.push(`schedule ${input.Name} ${input.State}`);
  mocks.autoScaling.on(UpdateAutoScalingGroupCommand).callsFake(record((input) => `${input.AutoScalingGroupName} ${input.MinSize}-${input.MaxSize}`));
  mocks.rds.on(DescribeDBInstancesCommand).callsFake(() => {
    if (database === "starting" && ++startingChecks > 2) database = "available";
    return { DBInstances: [{ DBInstanceStatus: database }] };
  });
  mocks.rds.on(StopDBInstanceCommand).callsFake(() => {
    database = "stopped";
    calls.push("stop database");
    return {};
  });
  mocks.rds.on(StartDBInstanceCommand).callsFake(() => {
    database = "starting";
    calls.push("start database");
    return {};
  });
  mocks.elastiCache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [{ Status: options.broker ?? "available" }] });
  return { calls, flip: (to: string) => (state = to) };
}

beforeEach(resetMocks);

describe("the hibernation state machine, run against a fake environment", () => {
  it("hibernates in order: state and alarms, publisher and schedules, scheduling, pools, the rest, the hosts, then the database", async () => {
    const env = environment({ database: "available" });
    const run = await interpret(definition, { action: "hibernate" }, clients(), START);
    expect(run.end).toEqual({ state: "Hibernating", type: "Succeed", error: undefined });
    expect(run.tasks).toEqual([
      "lambda:begin",
      "sdk:eventbridge:disableRule airflow-dev-queue-depth-publisher",
      "lambda:pause-schedules",
      "lambda:stop-scheduling",
      "lambda:stop-pools",
      "lambda:pools-stopped",
      "lambda:stop-serving",
      "lambda:services-stopped",
      "lambda:stop-capacity",
      "lambda:stop-database",
    ]);
    expect(env.calls).toEqual([
      "state=hibernating",
      "mute alarms",
      "schedule airflow-dev-db-clean DISABLED",
      "airflow-dev-scheduler=0",
      "airflow-dev-dag-processor=0",
      "airflow-dev-worker-default bounds 0-0",
      "airflow-dev-api-server=0",
      "airflow-dev-cadvisor=0",
      "airflow-dev-ec2 0-0",
      "airflow-dev-ec2-spot 0-0",
      "stop database",
    ]);
  });

  it("wakes up in order: database, broker, hosts, scheduler and api-server, publisher and schedules, pools, then the alarms after a heartbeat", async () => {
    const env = environment({ database: "stopped", state: "hibernating" });
    // GIVEN the schedules hibernation paused
    scheduler.held.get("default/airflow-dev-db-clean")!.State = "DISABLED";
    const run = await interpret(definition, { action: "wake" }, clients(), START);
    expect(run.end.state).toBe("Awake");
    expect(run.tasks.filter((t, i, all) => all.indexOf(t) === i)).toEqual([
      "lambda:begin",
      "lambda:start-database",
      "lambda:broker-available",
      "lambda:start-capacity",
      "lambda:start-services",
      "lambda:services-running",
      "sdk:eventbridge:enableRule airflow-dev-queue-depth-publisher",
      "lambda:resume-schedules",
      "lambda:start-pools",
      "lambda:heartbeat-ok",
      "lambda:rearm-alarms",
    ]);
    // AND the database was polled each minute until available (started, then two "starting" checks)
    expect(run.tasks.filter((t) => t === "lambda:start-database")).toHaveLength(4);
    expect(run.minutes).toBe(3);
    expect(env.calls).toEqual([
      "state=awake",
      "start database",
      "airflow-dev-ec2 1-3",
      "airflow-dev-ec2-spot 0-2",
      "airflow-dev-scheduler=1",
      "airflow-dev-dag-processor=1",
      "airflow-dev-api-server=2",
      "airflow-dev-cadvisor=5",
      "schedule airflow-dev-db-clean ENABLED",
      "airflow-dev-worker-default bounds 1-4",
      "enable alarms",
    ]);
  });

  it("a wake-up whose broker never comes back re-arms the alarms and fails", async () => {
    const env = environment({ database: "available", broker: "modifying", heartbeat: "ALARM", state: "hibernating" });
    const run = await interpret(definition, { action: "wake" }, clients(), START);
    expect(run.end).toEqual({ state: "Wake-up failed", type: "Fail", error: "WakeUpFailed" });
    expect(run.states).toContain("Wake: re-arm the alarms after a failure");
    expect(run.minutes).toBe(21);
    expect(env.calls).toEqual(["state=awake", `reset ${PLAN.heartbeatAlarm}`, "enable alarms"]);
  });

  it("a hibernation a wake-up supersedes while the pools drain stops quietly, touching nothing more", async () => {
    const env = environment({ database: "available" });
    // GIVEN a worker that stays busy until a wake-up flips the state parameter
    mocks.ecs.on(DescribeServicesCommand).callsFake((input) => {
      env.flip("awake");
      return { services: input.services.map((name: string) => ({ serviceName: name, runningCount: 1, pendingCount: 0 })) };
    });
    const run = await interpret(definition, { action: "hibernate" }, clients(), START);
    expect(run.end).toEqual({ state: "Superseded", type: "Succeed", error: undefined });
    expect(env.calls).not.toContain("airflow-dev-api-server=0");
    expect(env.calls).not.toContain("stop database");
  });

  it("keep-stopped stops a restarted database while hibernating, and does nothing when awake", async () => {
    const hibernating = environment({ database: "available", state: "hibernating" });
    expect((await interpret(definition, { action: "keep-stopped" }, clients(), START)).end.state).toBe("Kept stopped");
    expect(hibernating.calls).toEqual(["stop database"]);
    resetMocks();
    const awake = environment({ database: "available", state: "awake" });
    expect((await interpret(definition, { action: "keep-stopped" }, clients(), START)).end.state).toBe("Superseded");
    expect(awake.calls).toEqual([]);
  });

  it("fails an unknown action without a step", async () => {
    const run = await interpret(definition, { action: "nap" }, clients(), START);
    expect([run.end, run.tasks]).toEqual([{ state: "Unknown action", type: "Fail", error: "UnknownAction" }, []]);
  });
});
