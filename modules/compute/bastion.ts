import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { Construct } from "constructs";
import { instanceArchitecture } from "../../config/instance-types";
import { HardenedLaunchTemplate } from "./launch-template";

export interface BastionProps {
  /** Name of the launch template, Auto Scaling group and instance, e.g. `airflow-prod-bastion`. */
  readonly name: string;
  /** EC2 instance type (its architecture picks the AMI). */
  readonly instanceType: string;
  /** Private subnets the group may launch in (another AZ when one fails). */
  readonly subnetIds: string[];
  /** Security group of the instance (no inbound rules). */
  readonly securityGroupId: string;
  /** Instance profile: Session Manager and EFS through the access points. */
  readonly instanceProfileArn: string;
  /** Tags for the instance and its volume (provider default tags do not reach them). */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * An SSM-only bastion: no inbound rule and no public IP, reached with Session Manager (shell or port forwarding to
 * the UI, Flower or the database). An Auto Scaling group of one across the private subnets replaces it in another
 * AZ when its host or AZ fails; the AMI is resolved at launch, so a replacement is patched.
 */
export class Bastion extends Construct {
  /** The Auto Scaling group of one. */
  readonly group: AutoscalingGroup;

  constructor(scope: Construct, id: string, props: BastionProps) {
    super(scope, id);
    const arch = instanceArchitecture(props.instanceType);
    const template = new HardenedLaunchTemplate(this, "launch-template", {
      name: props.name,
      imageId: `resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`,
      instanceType: props.instanceType,
      instanceProfileArn: props.instanceProfileArn,
      securityGroupIds: [props.securityGroupId],
      rootVolumeGb: 8,
      // Client tools operators use through the bastion; the SSM agent ships with the AMI.
      userData: "#!/bin/bash\nset -euo pipefail\ndnf install -y postgresql16 amazon-efs-utils\n",
      tags: props.tags,
    }).template;
    this.group = new AutoscalingGroup(this, "group", {
      name: props.name,
      minSize: 1,
      maxSize: 1,
      desiredCapacity: 1,
      vpcZoneIdentifier: props.subnetIds,
      launchTemplate: { id: template.id, version: template.latestVersion.toString() },
      healthCheckType: "EC2",
      instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 0 } },
      tag: Object.entries({ ...props.tags, Name: props.name }).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
    });
  }
}
