/** A hibernation plan like dev's, mocked AWS clients (reset after each test), and a step runner with a clock. */
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

/** Call as `beforeEach(resetMocks)`: clients answer nothing, every write succeeds. */
export function resetMocks(): void {
  for (const mock of Object.values(mocks)) mock.reset();
}

export const clients = (): HibernationClients => ({
  ecs: new ECSClient({ region: "eu-west-1" }),
  applicationAutoScaling: new ApplicationAutoScalingClient({ region: "eu-west-1" }),
  autoScaling: new AutoScalingClient({ region: "eu-west-1" }),
  rds: new RDSClient({ region: "eu-west-1" }),
  elastiCache: new ElastiCacheClient({ region: "eu-west-1" }),
  cloudWatch: new CloudWatchClient({ region: "eu-west-1" }),
  ssm: new SSMClient({ region: "eu-west-1" }),
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
