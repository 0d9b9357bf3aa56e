import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { SfnStateMachine } from "@cdktf/provider-aws/lib/sfn-state-machine";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Aspects, Lazy, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { hibernationSchedules } from "../../config/hibernation";
import type { HibernationConfig } from "../../config/schema";
import type { HibernationAction, PlannedGroup } from "../../runtime/hibernation";
import { LAMBDA_ARTIFACTS } from "../../runtime/lambda";
import type { ArnBuilder } from "../core/arn";
import type { Naming } from "../core/naming";
import { policyJson, serviceTrustPolicy } from "../iam/policy-document";
import { ServiceRole } from "../iam/service-role";
import { BundledLambda } from "./bundled-lambda";
import { hibernationDefinition } from "./hibernation-definition";
import { stateMachinePermissions, starterPermissions, stepsPermissions, type HibernationGrantTargets } from "./hibernation-permissions";
import { hibernationPlan, pausedSchedules } from "./hibernation-plan";
import type { ScalablePool } from "./operated-resources";
import { PlatformAlarms } from "./platform-alarms";

export interface HibernationProps {
  /** Names of the environment: state machine, Lambda, roles, schedules, rule, state parameter, alarms. */
  readonly naming: Naming;
  /** ARNs of the environment's account and region. */
  readonly arns: ArnBuilder;
  /** The windows and their time zone (config `hibernation`). */
  readonly hibernation: HibernationConfig;
  /** The ECS cluster of the services. */
  readonly clusterName: string;
  /** ECS services stopped before the pools drain (they schedule new work): the scheduler, dag-processor and triggerer. */
  readonly scheduling: readonly string[];
  /** The worker pools: their scaling bounds go to 0 and back. */
  readonly pools: readonly ScalablePool[];
  /** The container-instance Auto Scaling groups with their configured bounds. */
  readonly groups: readonly PlannedGroup[];
  /** RDS instance identifier of the metadata database. */
  readonly databaseId: string;
  /** ElastiCache replication group id of the broker. */
  readonly brokerId: string;
  /** The alarm topic: alarms notifying it are muted while hibernating; the state machine's own alarms notify it. */
  readonly alarmTopicArn: string;
  /** Name of the heartbeat alarm, which waking up waits for. */
  readonly heartbeatAlarmName: string;
  /** Name of the queue-depth publisher's EventBridge rule, paused while hibernating. */
  readonly publisherRuleName: string;
  /** Minutes hibernating waits for busy workers (see `hibernationDrainMinutes`). */
  readonly drainMinutes: number;
  /** Retention of the steps Lambda's log group. */
  readonly logRetentionDays: number;
  /** KMS key encrypting the steps Lambda's log group. */
  readonly logsKmsKeyArn: string;
}

/**
 * Non-production hibernation: EventBridge Scheduler starts a Step Functions state machine at each window's start
 * (`hibernate`) and end (`wake`); its steps run in a small Lambda (lambda/hibernation); an EventBridge rule on
 * RDS-EVENT-0154 (RDS starts a database stopped for seven days) starts it to stop the database again while
 * hibernating; an SSM parameter records the state the last action worked towards; two alarms report failed and
 * timed-out executions, and are never muted. What it acts on (every ECS service, every EventBridge Scheduler schedule
 * and every alarm notifying the alarm topic in the stack) is read when the stack is synthesized, so services,
 * schedules and alarms added later are covered.
 */
export class Hibernation extends Construct {
  /** The state parameter (`hibernating` | `awake`). */
  readonly stateParameter: SsmParameter;
  /** The Lambda running one step per invocation. */
  readonly steps: BundledLambda;
  /** The state machine ordering the steps. */
  readonly stateMachine: SfnStateMachine;
  /** The schedules starting it, two per window. */
  readonly schedules: readonly SchedulerSchedule[];
  /** The rule starting it when RDS restarts the stopped database. */
  readonly databaseRestarted: CloudwatchEventRule;

  constructor(scope: Construct, id: string, props: HibernationProps) {
    super(scope, id);
    const { naming, arns } = props;
    const names = naming.hibernation;
    this.stateParameter = new SsmParameter(this, "state", {
      name: names.stateParameter,
      description: "Hibernation state the last hibernate or wake action worked towards (written by the hibernation state machine)",
      type: "String",
      value: "awake",
      lifecycle: { ignoreChanges: ["value"] },
    });

    const logGroupName = naming.logGroup(`lambda/${names.function}`);
    const grantTargets: HibernationGrantTargets = {
      naming,
      arns,
      cluster: props.clusterName,
      scalableTargetArns: props.pools.map((p) => p.scalableTarget.arn),
      groupNames: props.groups.map((g) => g.name),
      databaseId: props.databaseId,
      brokerId: props.brokerId,
      logGroupName,
      deadLetterQueueName: `${names.function}-dlq`,
    };
    const stepsRole = new ServiceRole(this, "steps-role", {
      name: names.function,
      description: "Hibernation steps Lambda: scale this environment's services and groups, stop and start its database, pause its schedules, mute its alarms",
      assumeRolePolicy: serviceTrustPolicy([arns.servicePrincipal("lambda")], arns.account),
      statements: stepsPermissions(grantTargets),
    });
    // The schedules to pause are known once the whole stack is built, like the plan's: when the stack is synthesized,
    // an aspect rewrites the policy with them. Aspects run before the rule pack reads the policy (a literal JSON
    // string still, unlike a Lazy value) and before the plan is produced, from the same constructs.
    const stack = TerraformStack.of(this);
    Aspects.of(this).add({
      visit: (node) => {
        if (node !== this) return;
        stepsRole.policy!.policy = policyJson(stepsPermissions({ ...grantTargets, schedules: pausedSchedules(stack, this) }));
      },
    });
    this.steps = new BundledLambda(this, "steps", {
      name: names.function,
      artifact: LAMBDA_ARTIFACTS.hibernation,
      description: "One step of hibernating or waking up the environment, invoked by its hibernation state machine",
      roleArn: stepsRole.arn,
      timeoutSeconds: 60,
      memoryMb: 256,
      // A hibernate or wake-up execution and a keep-stopped one may overlap.
      reservedConcurrency: 2,
      maxEventAgeSeconds: 3600,
      environment: {},
      logGroupName,
      logRetentionDays: props.logRetentionDays,
      logsKmsKeyArn: props.logsKmsKeyArn,
      dependsOn: [stepsRole.policy!],
    });

    this.stateMachine = this.createStateMachine(props);
    const starter = new ServiceRole(this, "starter-role", {
      name: names.starterRole,
      description: "Starts the hibernation state machine: its schedules and the rule on RDS restarting the stopped database",
      assumeRolePolicy: serviceTrustPolicy([arns.servicePrincipal("scheduler"), arns.servicePrincipal("events")], arns.account),
      statements: starterPermissions(this.stateMachine.arn),
    });
    const start = (action: HibernationAction) => ({ arn: this.stateMachine.arn, roleArn: starter.arn, input: JSON.stringify({ action }) });

    this.schedules = hibernationSchedules(props.hibernation).flatMap(({ window, hibernate, wake }) =>
      (
        [
          ["hibernate", hibernate],
          ["wake", wake],
        ] as const
      ).map(
        ([action, expression]) =>
          new SchedulerSchedule(this, `${action}-${window}`, {
            name: naming.name(`${action}-${window}`),
            description: `${action === "hibernate" ? "Hibernate" : "Wake up"} ${naming.base} (hibernation.windows[${window}])`,
            scheduleExpression: expression,
            scheduleExpressionTimezone: props.hibernation.timezone,
            flexibleTimeWindow: { mode: "OFF" },
            // A start the scheduler could not deliver within the hour is dropped: the next window's start comes anyway.
            target: { ...start(action), retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 } },
            // The scheduler does not check the role when the schedule is created (AIRFLOW_ORDER_*: permission first).
            dependsOn: [starter.policy!],
          }),
      ),
    );

    this.databaseRestarted = new CloudwatchEventRule(this, "database-restarted", {
      name: naming.name("database-restarted"),
      description: "RDS started the hibernating database after seven days stopped: stop it again",
      eventPattern: JSON.stringify({
        source: ["aws.rds"],
        "detail-type": ["RDS DB Instance Event"],
        detail: { EventID: ["RDS-EVENT-0154"], SourceIdentifier: [props.databaseId] },
      }),
    });
    new CloudwatchEventTarget(this, "database-restarted-target", { rule: this.databaseRestarted.name, ...start("keep-stopped"), dependsOn: [starter.policy!] });

    new PlatformAlarms(this, "alarms", {
      name: names.stateMachine,
      notificationTopicArn: props.alarmTopicArn,
      specs: (["ExecutionsFailed", "ExecutionsTimedOut"] as const).map((metric) => ({
        id: metric === "ExecutionsFailed" ? "failed" : "timed-out",
        description: `A hibernate or wake-up execution of ${names.stateMachine} ${metric === "ExecutionsFailed" ? "failed" : "timed out"}: the environment may be half asleep (see the execution's history)`,
        namespace: "AWS/States",
        metric,
        dimensions: { StateMachineArn: this.stateMachine.arn },
        statistic: "Sum" as const,
        periodSeconds: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparison: "GreaterThanOrEqualToThreshold" as const,
      })),
    });
  }

  /**
   * The state machine and its role. Its definition is produced when the stack is synthesized: the plan lists every
   * ECS service, schedule and notifying alarm the stack holds by then.
   */
  private createStateMachine(props: HibernationProps): SfnStateMachine {
    const { naming, arns } = props;
    const names = naming.hibernation;
    const role = new ServiceRole(this, "state-machine-role", {
      name: names.stateMachineRole,
      description: "Hibernation state machine: invoke its steps Lambda, pause and resume the queue-depth publisher",
      assumeRolePolicy: serviceTrustPolicy([arns.servicePrincipal("states")], arns.account),
      statements: stateMachinePermissions(arns, this.steps.fn.arn, props.publisherRuleName),
    });
    const stack = TerraformStack.of(this);
    const definition = Lazy.stringValue({
      produce: (context) =>
        JSON.stringify(
          hibernationDefinition({
            functionArn: this.steps.fn.arn,
            publisherRule: props.publisherRuleName,
            plan: hibernationPlan(
              stack,
              this,
              {
                cluster: props.clusterName,
                scheduling: props.scheduling,
                pools: props.pools.map(({ pool, serviceName, scalableTarget }) => ({
                  service: serviceName,
                  resourceId: scalableTarget.resourceId,
                  minCount: pool.minCount,
                  maxCount: pool.maxCount,
                })),
                groups: props.groups,
                database: props.databaseId,
                broker: props.brokerId,
                alarmTopicArn: props.alarmTopicArn,
                heartbeatAlarm: props.heartbeatAlarmName,
                stateParameter: names.stateParameter,
                drainMinutes: props.drainMinutes,
              },
              (value) => context.resolve(value),
            ),
          }),
        ),
    });
    return new SfnStateMachine(this, "state-machine", {
      name: names.stateMachine,
      type: "STANDARD",
      roleArn: role.arn,
      definition,
      // CreateStateMachine assumes the role; its permissions come first.
      dependsOn: [role.policy!],
    });
  }
}
