/**
 * A hibernation plan like dev's, mocked AWS clients (reset after each test), a fake EventBridge Scheduler holding the
 * plan's schedules, and a step runner with a clock.
 */
import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElastiCacheClient } from "@aws-sdk/client-elasticache";
import { RDSClient } from "@aws-sdk/client-rds";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { runStep } from "../../../lambda/hibernation";
import type { HibernationClients } from "../../../lambda/hibernation/clients";
import type { GetScheduleInput, GetScheduleOutput, SchedulerApi, UpdateScheduleInput, UpdateScheduleOutput } from "../../../lambda/hibernation/schedules";
import type { HibernationAction, HibernationPlan, HibernationState, HibernationStep, StepResult } from "../../../runtime/hibernation";

export const PLAN: HibernationPlan = {
  cluster: "airflow-dev-cluster",
  schedulingServices: [
    { name: "airflow-dev-scheduler", desiredCount: 1, awaited: true },
    { name: "airflow-dev-dag-processor", desiredCount: 1, awaited: true },
  ],
  servingServices: [
    { name: "airflow-dev-api-server", desiredCount: 2, awaited: true },
    { name: "airflow-dev-cadvisor", desiredCount: 5, awaited: false },
  ],
  pools: [{ service: "airflow-dev-worker-default", resourceId: "service/airflow-dev-cluster/airflow-dev-worker-default", minCount: 1, maxCount: 4 }],
  groups: [
    { name: "airflow-dev-ec2", minSize: 1, maxSize: 3 },
    { name: "airflow-dev-ec2-spot", minSize: 0, maxSize: 2 },
  ],
  database: "airflow-dev-db",
  broker: "airflow-dev-broker",
  schedules: [
    { name: "airflow-dev-db-clean", group: "default", state: "ENABLED" },
    { name: "airflow-dev-exports", group: "airflow-dev", state: "DISABLED" },
  ],
  alarms: ["airflow-dev-heartbeat", "airflow-dev-scheduler-not-running", "airflow-dev-db-cpu"],
  heartbeatAlarm: "airflow-dev-heartbeat",
  stateParameter: "/airflow/dev/hibernation",
  drainMinutes: 80,
};

export const mocks = {
  ecs: mockClient(ECSClient),
  applicationAutoScaling: mockClient(ApplicationAutoScalingClient),
  autoScaling: mockClient(AutoScalingClient),
  rds: mockClient(RDSClient),
  elastiCache: mockClient(ElastiCacheClient),
  cloudWatch: mockClient(CloudWatchClient),
  ssm: mockClient(SSMClient),
};

/** A schedule as GetSchedule describes it, every field set: the db-clean schedule, running an ECS task nightly. */
export const DB_CLEAN_SCHEDULE: GetScheduleOutput = {
  Arn: "arn:aws:scheduler:eu-west-1:111111111111:schedule/default/airflow-dev-db-clean",
  GroupName: "default",
  Name: "airflow-dev-db-clean",
  ScheduleExpression: "cron(45 4 * * ? *)",
  StartDate: new Date("2026-01-01T00:00:00.000Z"),
  EndDate: new Date("2030-01-01T00:00:00.000Z"),
  Description: "airflow db clean of airflow-dev: rows older than 30 days",
  ScheduleExpressionTimezone: "UTC",
  State: "ENABLED",
  CreationDate: new Date("2025-12-01T10:00:00.000Z"),
  LastModificationDate: new Date("2025-12-02T10:00:00.000Z"),
  KmsKeyArn: "arn:aws:kms:eu-west-1:111111111111:key/schedules",
  Target: {
    Arn: "arn:aws:ecs:eu-west-1:111111111111:cluster/airflow-dev-cluster",
    RoleArn: "arn:aws:iam::111111111111:role/airflow-dev-db-clean-scheduler",
    DeadLetterConfig: { Arn: "arn:aws:sqs:eu-west-1:111111111111:airflow-dev-db-clean-dlq" },
    RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
    EcsParameters: {
      TaskDefinitionArn: "arn:aws:ecs:eu-west-1:111111111111:task-definition/airflow-dev-db-clean:7",
      LaunchType: "FARGATE",
      TaskCount: 1,
      NetworkConfiguration: { awsvpcConfiguration: { Subnets: ["subnet-a", "subnet-b"], SecurityGroups: ["sg-services"], AssignPublicIp: "DISABLED" } },
    },
  },
  FlexibleTimeWindow: { Mode: "FLEXIBLE", MaximumWindowInMinutes: 15 },
  ActionAfterCompletion: "NONE",
};

/** The plan's other schedule: Terraform configures it DISABLED. */
export const EXPORTS_SCHEDULE: GetScheduleOutput = {
  Arn: "arn:aws:scheduler:eu-west-1:111111111111:schedule/airflow-dev/airflow-dev-exports",
  GroupName: "airflow-dev",
  Name: "airflow-dev-exports",
  ScheduleExpression: "rate(1 day)",
  State: "DISABLED",
  Target: { Arn: "arn:aws:sqs:eu-west-1:111111111111:exports", RoleArn: "arn:aws:iam::111111111111:role/airflow-dev-exports", Input: "{}" },
  FlexibleTimeWindow: { Mode: "OFF" },
  ActionAfterCompletion: "NONE",
};

/**
 * A fake EventBridge Scheduler: GetSchedule answers what it holds (a copy), UpdateSchedule replaces the whole
 * schedule with what it is sent, as the real one does (a field left out is gone), keeping only the ARN and creation
 * date. Every call is recorded; `onUpdate` sees each update (the state machine test lists the writes in order).
 */
export class FakeScheduler implements SchedulerApi {
  readonly held = new Map<string, GetScheduleOutput>();
  readonly gets: GetScheduleInput[] = [];
  readonly updates: UpdateScheduleInput[] = [];
  onUpdate?: (input: UpdateScheduleInput) => void;

  private static key(input: { Name?: string; GroupName?: string }): string {
    return `${input.GroupName ?? "default"}/${input.Name}`;
  }

  /** Back to holding `schedules` and no calls. */
  reset(schedules: readonly GetScheduleOutput[] = [DB_CLEAN_SCHEDULE, EXPORTS_SCHEDULE]): void {
    this.held.clear();
    for (const schedule of schedules) this.held.set(FakeScheduler.key(schedule), structuredClone(schedule));
    this.gets.length = 0;
    this.updates.length = 0;
    this.onUpdate = undefined;
  }

  /** What it holds for a schedule now. */
  schedule(name: string, group = "default"): GetScheduleOutput | undefined {
    return this.held.get(FakeScheduler.key({ Name: name, GroupName: group }));
  }

  async getSchedule(input: GetScheduleInput): Promise<GetScheduleOutput> {
    this.gets.push(structuredClone(input));
    const held = this.held.get(FakeScheduler.key(input));
    if (!held) throw Object.assign(new Error(`Schedule ${input.Name} does not exist.`), { name: "ResourceNotFoundException" });
    return structuredClone(held);
  }

  async updateSchedule(input: UpdateScheduleInput): Promise<UpdateScheduleOutput> {
    this.updates.push(structuredClone(input));
    const key = FakeScheduler.key(input);
    const held = this.held.get(key);
    if (!held) throw Object.assign(new Error(`Schedule ${input.Name} does not exist.`), { name: "ResourceNotFoundException" });
    const { ClientToken: _token, ...fields } = structuredClone(input);
    this.held.set(key, { ...fields, Arn: held.Arn, CreationDate: held.CreationDate, LastModificationDate: new Date("2026-01-15T20:01:00.000Z") });
    this.onUpdate?.(input);
    return { ScheduleArn: held.Arn };
  }
}

export const scheduler = new FakeScheduler();
scheduler.reset();

/** Call as `beforeEach(resetMocks)`: clients answer nothing, every write succeeds; the scheduler holds the plan's schedules. */
export function resetMocks(): void {
  for (const mock of Object.values(mocks)) mock.reset();
  scheduler.reset();
}

export const clients = (): HibernationClients => ({
  ecs: new ECSClient({ region: "eu-west-1" }),
  applicationAutoScaling: new ApplicationAutoScalingClient({ region: "eu-west-1" }),
  autoScaling: new AutoScalingClient({ region: "eu-west-1" }),
  rds: new RDSClient({ region: "eu-west-1" }),
  elastiCache: new ElastiCacheClient({ region: "eu-west-1" }),
  cloudWatch: new CloudWatchClient({ region: "eu-west-1" }),
  ssm: new SSMClient({ region: "eu-west-1" }),
  scheduler,
});

/** The state parameter says `state`. */
export function stateIs(state: HibernationState): void {
  mocks.ssm.on(GetParameterCommand, { Name: PLAN.stateParameter }).resolves({ Parameter: { Value: state } });
}

export const SINCE = "2026-01-15T20:00:00.000Z";

/** Runs one step `minutes` after the wait began. */
export function step(step: HibernationStep, action: HibernationAction, minutes = 0, plan: HibernationPlan = PLAN): Promise<StepResult> {
  return runStep({ step, action, plan, since: SINCE }, clients(), new Date(Date.parse(SINCE) + minutes * 60_000));
}

/** The inputs of every call of `command` a mock received. */
export function inputs(mock: { commandCalls: (command: any) => { args: readonly unknown[] }[] }, command: unknown): any[] {
  return mock.commandCalls(command).map((call) => (call.args[0] as { input: unknown }).input);
}
