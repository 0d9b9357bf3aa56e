import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { SchedulerSchedule, type SchedulerScheduleConfig } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { Testing, Token } from "cdktf";
import type { Construct } from "constructs";
import type { HibernationConfig, WorkerPoolConfig } from "../../../config/schema";
import { ArnBuilder } from "../../../modules/core/arn";
import { Naming } from "../../../modules/core/naming";
import { Hibernation, type HibernationProps } from "../../../modules/operations/hibernation";
import { hibernationDrainMinutes } from "../../../modules/operations/hibernation-plan";

const naming = new Naming("airflow", "dev", "111111111111");
const arns = new ArnBuilder({ account: { id: "111111111111", region: "eu-west-1" } });
const WINDOWS: HibernationConfig = {
  timezone: "Europe/Amsterdam",
  windows: [
    { days: ["MON", "TUE", "WED", "THU"], start: "20:00", end: "07:00" },
    { days: ["FRI"], start: "20:00", end: "MON 07:00" },
  ],
};
const pool: WorkerPoolConfig = { name: "default", queues: ["default"], concurrency: 8, minCount: 1, maxCount: 4, capacity: "ec2", cpu: 1024, memory: 2048 };

const ecsService = (scope: Construct, name: string, extra: Partial<ConstructorParameters<typeof EcsService>[2]> = {}) =>
  new EcsService(scope, name, { name: naming.name(name), cluster: "arn:cluster", desiredCount: 1, ...extra });

/** A schedule running a task nightly, as the db-clean one does. */
const schedule = (scope: Construct, id: string, extra: Partial<SchedulerScheduleConfig> = {}) =>
  new SchedulerSchedule(scope, id, {
    name: naming.name(id),
    scheduleExpression: "cron(45 4 * * ? *)",
    flexibleTimeWindow: { mode: "OFF" },
    target: { arn: "arn:cluster", roleArn: `arn:aws:iam::111111111111:role/${naming.name(id)}-scheduler` },
    ...extra,
  });

/**
 * An environment's services, alarms and schedules, and its hibernation; `mutate` adjusts the props, `more` adds
 * constructs after the hibernation (found all the same: the plan is read at synth).
 */
function synth(mutate: (props: HibernationProps) => HibernationProps = (p) => p, more: (scope: Construct) => void = () => {}) {
  return JSON.parse(
    Testing.synthScope((scope) => {
      const topic = new SnsTopic(scope, "alarms", { name: "airflow-dev-alarms" });
      const other = new SnsTopic(scope, "other-topic", { name: "elsewhere" });
      ecsService(scope, "scheduler");
      ecsService(scope, "api-server", { desiredCount: 2 });
      ecsService(scope, "worker-default", { lifecycle: { ignoreChanges: ["desired_count"] } });
      ecsService(scope, "cadvisor", { desiredCount: 99, placementConstraints: [{ type: "distinctInstance" }] });
      ecsService(scope, "log-router", { schedulingStrategy: "DAEMON", desiredCount: undefined });
      const scalableTarget = new AppautoscalingTarget(scope, "pool-target", {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: "service/airflow-dev-cluster/airflow-dev-worker-default",
        minCapacity: 1,
        maxCapacity: 4,
      });
      const alarm = (id: string, actions: string[]) =>
        new CloudwatchMetricAlarm(scope, id, {
          alarmName: naming.name(id),
          comparisonOperator: "GreaterThanThreshold",
          evaluationPeriods: 1,
          alarmActions: actions,
        });
      alarm("heartbeat", [topic.arn]);
      // Another reference to the same topic counts too.
      alarm("db-cpu", [topic.arn]);
      alarm("foreign", [other.arn]);
      alarm("worker-default-scale-out", ["arn:policy"]);
      schedule(scope, "db-clean");
      new Hibernation(
        scope,
        "hibernation",
        mutate({
          naming,
          arns,
          hibernation: WINDOWS,
          clusterName: "airflow-dev-cluster",
          scheduling: [naming.name("scheduler")],
          pools: [{ pool, serviceName: naming.name("worker-default"), scalableTarget }],
          groups: [
            { name: "airflow-dev-ec2", minSize: 1, maxSize: 3 },
            { name: "airflow-dev-ec2-spot", minSize: 0, maxSize: 2 },
          ],
          databaseId: "airflow-dev-metadata",
          brokerId: "airflow-dev-broker",
          alarmTopicArn: topic.arn,
          heartbeatAlarmName: "airflow-dev-heartbeat",
          publisherRuleName: naming.lambdas.publisher,
          drainMinutes: hibernationDrainMinutes(60, 900),
          logRetentionDays: 14,
          logsKmsKeyArn: "arn:logs-key",
        }),
      );
      more(scope);
    }),
  );
}

describe("Hibernation", () => {
  const json = synth();
  const all = (type: string) => Object.values(json.resource[type] ?? {}) as Record<string, any>[];
  const definition = JSON.parse(all("aws_sfn_state_machine")[0].definition);
  const plan = definition.States.Plan.Result;
  const policy = (role: string) => JSON.parse(all("aws_iam_role_policy").find((p) => p.name === role)!.policy).Statement;
  const trust = (role: string) => JSON.parse(all("aws_iam_role").find((r) => r.name === role)!.assume_role_policy).Statement[0];

  it("plans every ECS service of the stack: scheduling first, the rest serving, pools by their bounds, daemons left to the hosts", () => {
    expect(plan.schedulingServices).toEqual([{ name: "airflow-dev-scheduler", desiredCount: 1, awaited: true }]);
    // THEN the per-host daemon gets the groups' maximum (3 + 2) and is not waited for; the DAEMON service is not planned
    expect(plan.servingServices).toEqual([
      { name: "airflow-dev-api-server", desiredCount: 2, awaited: true },
      { name: "airflow-dev-cadvisor", desiredCount: 5, awaited: false },
    ]);
    expect(plan.pools).toEqual([
      { service: "airflow-dev-worker-default", resourceId: "${aws_appautoscaling_target.pool-target.resource_id}", minCount: 1, maxCount: 4 },
    ]);
    expect(plan).toMatchObject({
      database: "airflow-dev-metadata",
      broker: "airflow-dev-broker",
      stateParameter: "/airflow/dev/hibernation",
      drainMinutes: 80,
    });
  });

  it("mutes exactly the alarms notifying the alarm topic, not its own nor scaling or foreign ones", () => {
    expect(plan.alarms).toEqual(["airflow-dev-heartbeat", "airflow-dev-db-cpu"]);
    // AND its own alarms report failed and timed-out executions to the topic, never muted
    const own = all("aws_cloudwatch_metric_alarm").filter((a) => a.namespace === "AWS/States");
    expect(own.map((a) => [a.alarm_name, a.metric_name, a.alarm_actions])).toEqual([
      ["airflow-dev-hibernation-failed", "ExecutionsFailed", ["${aws_sns_topic.alarms.arn}"]],
      ["airflow-dev-hibernation-timed-out", "ExecutionsTimedOut", ["${aws_sns_topic.alarms.arn}"]],
    ]);
  });

  it("starts the state machine at each window's start and end, in the windows' time zone, with only the starter role", () => {
    const own = all("aws_scheduler_schedule").filter((s) => s.target.arn.includes("aws_sfn_state_machine"));
    const schedules = own.map((s) => [s.name, s.schedule_expression, s.target.input]);
    expect(schedules.sort()).toEqual([
      ["airflow-dev-hibernate-0", "cron(0 20 ? * MON,TUE,WED,THU *)", '{"action":"hibernate"}'],
      ["airflow-dev-hibernate-1", "cron(0 20 ? * FRI *)", '{"action":"hibernate"}'],
      ["airflow-dev-wake-0", "cron(0 7 ? * TUE,WED,THU,FRI *)", '{"action":"wake"}'],
      ["airflow-dev-wake-1", "cron(0 7 ? * MON *)", '{"action":"wake"}'],
    ]);
    for (const s of own) {
      expect(s).toMatchObject({
        schedule_expression_timezone: "Europe/Amsterdam",
        flexible_time_window: { mode: "OFF" },
        target: { arn: expect.stringContaining("aws_sfn_state_machine"), role_arn: expect.stringContaining("hibernation_starter-role") },
        depends_on: [expect.stringMatching(/^aws_iam_role_policy\.hibernation_starter-role_policy/)],
      });
    }
    expect(policy("airflow-dev-hibernation-starter")).toEqual([
      { Sid: "StartHibernation", Effect: "Allow", Action: ["states:StartExecution"], Resource: [expect.stringContaining("aws_sfn_state_machine")] },
    ]);
    expect(trust("airflow-dev-hibernation-starter").Principal.Service).toEqual(["scheduler.amazonaws.com", "events.amazonaws.com"]);
  });

  it("stops the database again when RDS restarts it after seven days (RDS-EVENT-0154 of this instance)", () => {
    const rule = all("aws_cloudwatch_event_rule").find((r) => r.name === "airflow-dev-database-restarted")!;
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ["aws.rds"],
      "detail-type": ["RDS DB Instance Event"],
      detail: { EventID: ["RDS-EVENT-0154"], SourceIdentifier: ["airflow-dev-metadata"] },
    });
    expect(all("aws_cloudwatch_event_target")[0]).toMatchObject({
      input: '{"action":"keep-stopped"}',
      role_arn: expect.stringContaining("hibernation_starter-role"),
      depends_on: [expect.stringContaining("hibernation_starter-role_policy")],
    });
  });

  it("lets the steps Lambda touch only this environment's services, pools, groups, database, broker, schedules, alarms and state", () => {
    const byId = Object.fromEntries(policy("airflow-dev-hibernation-steps").map((s: any) => [s.Sid, s.Resource]));
    expect(byId).toMatchObject({
      HibernationState: ["arn:aws:ssm:eu-west-1:111111111111:parameter/airflow/dev/hibernation"],
      StopAndStartServices: ["arn:aws:ecs:eu-west-1:111111111111:service/airflow-dev-cluster/airflow-dev-*"],
      WorkerPoolBounds: ["${aws_appautoscaling_target.pool-target.arn}"],
      ContainerInstanceGroupBounds: [
        "arn:aws:autoscaling:eu-west-1:111111111111:autoScalingGroup:*:autoScalingGroupName/airflow-dev-ec2",
        "arn:aws:autoscaling:eu-west-1:111111111111:autoScalingGroup:*:autoScalingGroupName/airflow-dev-ec2-spot",
      ],
      StopAndStartDatabase: ["arn:aws:rds:eu-west-1:111111111111:db:airflow-dev-metadata"],
      ReadBroker: ["arn:aws:elasticache:eu-west-1:111111111111:replicationgroup:airflow-dev-broker"],
      PauseAndResumeSchedules: ["arn:aws:scheduler:eu-west-1:111111111111:schedule/default/airflow-dev-db-clean"],
      MuteAndRearmAlarms: ["arn:aws:cloudwatch:eu-west-1:111111111111:alarm:airflow-dev-*"],
    });
    // AND the function waits for that policy, and no EventBridge rule invokes it (only the state machine does)
    const fn = all("aws_lambda_function")[0];
    expect(fn).toMatchObject({ function_name: "airflow-dev-hibernation-steps", handler: "index.handler", reserved_concurrent_executions: 2 });
    expect(fn.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_iam_role_policy\.hibernation_steps-role_policy/)]));
    expect(all("aws_lambda_permission")).toEqual([]);
  });

  it("lets the state machine invoke its Lambda and pause the publisher's rule, once its role's policy exists", () => {
    expect(policy("airflow-dev-hibernation-states").map((s: any) => [s.Action, s.Resource])).toEqual([
      [["lambda:InvokeFunction"], [expect.stringContaining("aws_lambda_function"), expect.stringMatching(/aws_lambda_function.*:\*$/)]],
      [["events:DisableRule", "events:EnableRule"], ["arn:aws:events:eu-west-1:111111111111:rule/airflow-dev-queue-depth-publisher"]],
    ]);
    expect(all("aws_sfn_state_machine")[0]).toMatchObject({
      name: "airflow-dev-hibernation",
      type: "STANDARD",
      depends_on: [expect.stringContaining("state-machine-role_policy")],
    });
  });

  it("keeps the state in an SSM parameter Terraform creates awake and then leaves to the state machine", () => {
    expect(all("aws_ssm_parameter")[0]).toMatchObject({
      name: "/airflow/dev/hibernation",
      type: "String",
      value: "awake",
      lifecycle: { ignore_changes: ["value"] },
    });
  });

  it("names a scheduling service the stack does not have", () => {
    expect(() => synth((p) => ({ ...p, scheduling: ["airflow-dev-triggerer"] }))).toThrow(/hibernation: no ECS service airflow-dev-triggerer in /);
  });
});

describe("Hibernation of the stack's schedules", () => {
  /** The plan and the steps Lambda's statements of a synthesized stack. */
  const synthesized = (json: any) => {
    const all = (type: string) => Object.values(json.resource[type] ?? {}) as Record<string, any>[];
    const statements = JSON.parse(all("aws_iam_role_policy").find((p) => p.name === "airflow-dev-hibernation-steps")!.policy).Statement as any[];
    return {
      plan: JSON.parse(all("aws_sfn_state_machine")[0].definition).States.Plan.Result,
      statement: (sid: string) => statements.find((s) => s.Sid === sid),
    };
  };

  it("pauses the db-clean schedule (no state: Terraform's default, ENABLED), never its own four", () => {
    // GIVEN the stack's db-clean schedule and hibernation's own schedules WHEN synthesized
    const { plan } = synthesized(synth());
    // THEN only db-clean is planned, to be resumed on waking up
    expect(plan.schedules).toEqual([{ name: "airflow-dev-db-clean", group: "default", state: "ENABLED" }]);
  });

  it("finds a schedule added after it, with its group and its configured DISABLED state, and grants exactly those schedules", () => {
    // GIVEN a schedule in its own group, configured DISABLED, created after the hibernation
    const more = (scope: Construct) => schedule(scope, "exports", { groupName: "airflow-dev", state: "DISABLED" });
    // WHEN synthesized
    const { plan, statement } = synthesized(synth(undefined, more));
    // THEN the plan keeps its state (waking up leaves it off)
    expect(plan.schedules).toEqual([
      { name: "airflow-dev-db-clean", group: "default", state: "ENABLED" },
      { name: "airflow-dev-exports", group: "airflow-dev", state: "DISABLED" },
    ]);
    // AND the steps Lambda may read and update exactly these schedules, not hibernation's own
    expect(statement("PauseAndResumeSchedules")).toEqual({
      Sid: "PauseAndResumeSchedules",
      Effect: "Allow",
      Action: ["scheduler:GetSchedule", "scheduler:UpdateSchedule"],
      Resource: [
        "arn:aws:scheduler:eu-west-1:111111111111:schedule/default/airflow-dev-db-clean",
        "arn:aws:scheduler:eu-west-1:111111111111:schedule/airflow-dev/airflow-dev-exports",
      ],
    });
    // AND pass their targets' roles, to EventBridge Scheduler only (UpdateSchedule hands the role over again)
    expect(statement("PauseAndResumeSchedulesPassTargetRoles")).toEqual({
      Sid: "PauseAndResumeSchedulesPassTargetRoles",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: ["arn:aws:iam::111111111111:role/airflow-dev-db-clean-scheduler", "arn:aws:iam::111111111111:role/airflow-dev-exports-scheduler"],
      Condition: { StringEquals: { "iam:PassedToService": ["scheduler.amazonaws.com"] } },
    });
  });

  it("grants no scheduler action when the stack has no schedule but its own", () => {
    // GIVEN a stack whose only other schedule is removed before synth
    const json = synth(undefined, (scope) => scope.node.tryRemoveChild("db-clean"));
    const { plan, statement } = synthesized(json);
    // THEN nothing is planned nor granted
    expect(plan.schedules).toEqual([]);
    expect([statement("PauseAndResumeSchedules"), statement("PauseAndResumeSchedulesPassTargetRoles")]).toEqual([undefined, undefined]);
  });

  it("names a schedule whose state is not a literal ENABLED or DISABLED", () => {
    // GIVEN a state from a variable WHEN synthesized THEN hibernation cannot plan it, and says which schedule
    const token = (scope: Construct) => schedule(scope, "exports", { state: Token.asString({ Ref: "state" }) });
    expect(() => synth(undefined, token)).toThrow(/hibernation needs a literal schedule state, ENABLED or DISABLED \(.*\/exports\)/);
    const typo = (scope: Construct) => schedule(scope, "exports", { state: "PAUSED" });
    expect(() => synth(undefined, typo)).toThrow(/hibernation needs a literal schedule state, ENABLED or DISABLED \(.*\/exports\)/);
  });
});

describe("hibernationDrainMinutes", () => {
  it("covers the workers' task protection and warm shutdown, plus five minutes", () => {
    expect([hibernationDrainMinutes(60, 900), hibernationDrainMinutes(60, 120)]).toEqual([80, 67]);
    expect(Token.isUnresolved(hibernationDrainMinutes(60, 30))).toBe(false);
  });
});
