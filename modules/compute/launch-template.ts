import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Fn } from "cdktf";
import { Construct } from "constructs";

export interface HardenedLaunchTemplateProps {
  /** Template name and instances' Name tag. */
  readonly name: string;
  /** AMI, resolved by EC2 at launch: `resolve:ssm:<parameter>` needs no AWS call at plan time. */
  readonly imageId: string;
  /** EC2 instance type. */
  readonly instanceType: string;
  /** Instance profile of the instances. */
  readonly instanceProfileArn: string;
  /** Security groups of the instances' network interface. */
  readonly securityGroupIds: string[];
  /** Size of the encrypted gp3 root volume (GiB). */
  readonly rootVolumeGb: number;
  /**
   * Shell script run at first boot (non-secret settings only).
   * @default - none
   */
  readonly userData?: string;
  /** Tags for the instances and volumes it launches (provider default tags do not reach them). */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * A launch template with the host hardening every instance here gets: IMDSv2 required with a hop limit of 1
 * (containers cannot reach the instance credentials), an encrypted gp3 root volume, no public IP, detailed
 * monitoring, EBS optimization.
 */
export class HardenedLaunchTemplate extends Construct {
  /** The launch template (its latest version is the default). */
  readonly template: LaunchTemplate;

  constructor(scope: Construct, id: string, props: HardenedLaunchTemplateProps) {
    super(scope, id);
    const tags = { ...props.tags, Name: props.name };
    this.template = new LaunchTemplate(this, "template", {
      name: props.name,
      imageId: props.imageId,
      instanceType: props.instanceType,
      iamInstanceProfile: { arn: props.instanceProfileArn },
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
      blockDeviceMappings: [
        { deviceName: "/dev/xvda", ebs: { volumeSize: props.rootVolumeGb, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
      ],
      networkInterfaces: [{ associatePublicIpAddress: "false", deleteOnTermination: "true", securityGroups: props.securityGroupIds }],
      monitoring: { enabled: true },
      ebsOptimized: "true",
      userData: props.userData ? Fn.base64encode(props.userData) : undefined,
      tagSpecifications: [
        { resourceType: "instance", tags },
        { resourceType: "volume", tags },
      ],
      updateDefaultVersion: true,
    });
  }
}
