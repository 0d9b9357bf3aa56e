/** What each hibernation role may do: the steps Lambda, the state machine, and the schedules and RDS event rule that start it. */
import type { ArnBuilder } from "../core/arn";
import type { Naming } from "../core/naming";
import * as grants from "../iam/grants";
import type { PolicyStatement } from "../iam/policy-document";

export interface HibernationGrantTargets {
  readonly naming: Naming;
  readonly arns: ArnBuilder;
  /** ECS cluster of the services (a literal name: the grant covers `service/<cluster>/<prefix>-<env>-*`). */
  readonly cluster: string;
  /** ARNs of the worker pools' Application Auto Scaling targets. */
  readonly scalableTargetArns: readonly string[];
  /** Names of the container-instance Auto Scaling groups. */
  readonly groupNames: readonly string[];
  readonly databaseId: string;
  readonly brokerId: string;
  /** Log group of the steps Lambda. */
  readonly logGroupName: string;
  /** The steps Lambda's dead-letter queue. */
  readonly deadLetterQueueName: string;
  /**
   * The schedules it pauses and resumes, with their targets' roles (see `pausedSchedules`).
   * @default - none
   */
  readonly schedules?: readonly { readonly name: string; readonly group: string; readonly targetRoleArn: string }[];
}

/**
 * The steps Lambda: the state parameter; desired counts of this environment's services; the pools' scaling bounds;
 * the groups' bounds; stopping and starting its database; reading its broker; pausing and resuming exactly the
 * planned schedules (passing their targets' roles back to EventBridge Scheduler); and muting and re-arming its alarms
 * (every alarm of the environment is named `<prefix>-<env>-...`).
 */
export function stepsPermissions(t: HibernationGrantTargets): PolicyStatement[] {
  const { arns, naming } = t;
  return [
    ...grants.writeLogs(arns.of("logs", `log-group:${t.logGroupName}`)),
    {
      sid: "HibernationState",
      actions: ["ssm:GetParameter", "ssm:PutParameter"],
      resources: [arns.of("ssm", `parameter${naming.hibernation.stateParameter}`)],
    },
    {
      sid: "StopAndStartServices",
      actions: ["ecs:DescribeServices", "ecs:UpdateService"],
      resources: [arns.of("ecs", `service/${t.cluster}/${naming.base}-*`)],
    },
    { sid: "WorkerPoolBounds", actions: ["application-autoscaling:RegisterScalableTarget"], resources: [...t.scalableTargetArns] },
    {
      sid: "ContainerInstanceGroupBounds",
      actions: ["autoscaling:UpdateAutoScalingGroup"],
      resources: t.groupNames.map((name) => arns.of("autoscaling", `autoScalingGroup:*:autoScalingGroupName/${name}`)),
    },
    {
      sid: "StopAndStartDatabase",
      actions: ["rds:DescribeDBInstances", "rds:StartDBInstance", "rds:StopDBInstance"],
      resources: [arns.of("rds", `db:${t.databaseId}`)],
    },
    { sid: "ReadBroker", actions: ["elasticache:DescribeReplicationGroups"], resources: [arns.of("elasticache", `replicationgroup:${t.brokerId}`)] },
    ...grants.toggleSchedules(arns, t.schedules ?? [], "PauseAndResumeSchedules"),
    {
      sid: "MuteAndRearmAlarms",
      actions: ["cloudwatch:DescribeAlarms", "cloudwatch:DisableAlarmActions", "cloudwatch:EnableAlarmActions", "cloudwatch:SetAlarmState"],
      resources: [arns.of("cloudwatch", `alarm:${naming.base}-*`)],
    },
    ...grants.sendToQueue(arns.of("sqs", t.deadLetterQueueName)),
    ...grants.tracing(),
  ];
}

/** The state machine: invoke the steps Lambda, pause and resume the queue-depth publisher's rule. */
export function stateMachinePermissions(arns: ArnBuilder, functionArn: string, publisherRule: string): PolicyStatement[] {
  return [
    { sid: "InvokeHibernationSteps", actions: ["lambda:InvokeFunction"], resources: [functionArn, `${functionArn}:*`] },
    { sid: "PauseQueueDepthPublisher", actions: ["events:DisableRule", "events:EnableRule"], resources: [arns.of("events", `rule/${publisherRule}`)] },
  ];
}

/** The schedules and the RDS event rule: start executions of the state machine, nothing else. */
export function starterPermissions(stateMachineArn: string): PolicyStatement[] {
  return [{ sid: "StartHibernation", actions: ["states:StartExecution"], resources: [stateMachineArn] }];
}
