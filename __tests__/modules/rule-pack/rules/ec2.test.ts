import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { ebsEncrypted } from "../../../../modules/rule-pack/rules/ec2/ebs-encrypted";
import { imdsHopLimit } from "../../../../modules/rule-pack/rules/ec2/imds-hop-limit";
import { imdsv2Required } from "../../../../modules/rule-pack/rules/ec2/imdsv2-required";
import { noPublicIp } from "../../../../modules/rule-pack/rules/ec2/no-public-ip";
import { check } from "../support";

const hardened = {
  metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
  blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeSize: 30 } }],
  networkInterfaces: [{ associatePublicIpAddress: "false" }],
};

describe("CKV_AWS_79 IMDSv2 required", () => {
  test("Noncompliance 1: a launch template without metadata options", () => {
    // GIVEN a launch template leaving IMDS at its defaults (v1 allowed)
    const findings = check(imdsv2Required, (stack) => new LaunchTemplate(stack, "lt", { imageId: "ami-1" }));
    // THEN it is reported
    expect(findings).toEqual([
      { rule: "CKV_AWS_79", address: "aws_launch_template.lt", message: 'metadata_options.http_tokens is not set; set "required" (IMDSv2 only)' },
    ]);
  });

  test("Noncompliance 2: an instance with optional tokens", () => {
    // GIVEN an instance with http_tokens optional
    const findings = check(
      imdsv2Required,
      (stack) => new Instance(stack, "vm", { ami: "ami-1", instanceType: "t4g.nano", metadataOptions: { httpTokens: "optional" } }),
    );
    // THEN it is reported
    expect(findings).toEqual([
      { rule: "CKV_AWS_79", address: "aws_instance.vm", message: 'metadata_options.http_tokens is "optional"; set "required" (IMDSv2 only)' },
    ]);
  });

  test("Compliance 1: tokens required", () => {
    // GIVEN the hardened launch template settings
    // THEN nothing is reported
    expect(check(imdsv2Required, (stack) => new LaunchTemplate(stack, "lt", { imageId: "ami-1", ...hardened }))).toEqual([]);
  });

  test("Compliance 2: the metadata endpoint is disabled", () => {
    // GIVEN an instance without a metadata endpoint
    // THEN there is nothing to protect and nothing is reported
    expect(check(imdsv2Required, (stack) => new Instance(stack, "vm", { ami: "ami-1", metadataOptions: { httpEndpoint: "disabled" } }))).toEqual([]);
  });
});

describe("CKV_AWS_341 IMDS hop limit 1", () => {
  test("Noncompliance 1: a hop limit of 2 lets containers reach IMDS", () => {
    // GIVEN a launch template with hop limit 2
    const findings = check(
      imdsHopLimit,
      (stack) => new LaunchTemplate(stack, "lt", { imageId: "ami-1", metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } }),
    );
    // THEN it is reported
    expect(findings).toEqual([{ rule: "CKV_AWS_341", address: "aws_launch_template.lt", message: "metadata_options.http_put_response_hop_limit is 2; set 1" }]);
  });

  test("Noncompliance 2: no hop limit set", () => {
    // GIVEN an instance leaving the hop limit at its default
    const findings = check(imdsHopLimit, (stack) => new Instance(stack, "vm", { ami: "ami-1", metadataOptions: { httpTokens: "required" } }));
    // THEN it is reported
    expect(findings).toEqual([{ rule: "CKV_AWS_341", address: "aws_instance.vm", message: "metadata_options.http_put_response_hop_limit is not set; set 1" }]);
  });

  test("Compliance 1: hop limit 1", () => {
    // GIVEN the hardened launch template settings
    // THEN nothing is reported
    expect(check(imdsHopLimit, (stack) => new LaunchTemplate(stack, "lt", { imageId: "ami-1", ...hardened }))).toEqual([]);
  });
});

describe("CKV_AWS_8 EBS volumes encrypted", () => {
  test("Noncompliance 1: a launch template leaves the root volume to the AMI", () => {
    // GIVEN a launch template without block device mappings
    const findings = check(ebsEncrypted, (stack) => new LaunchTemplate(stack, "lt", { imageId: "ami-1" }));
    // THEN it is reported
    expect(findings).toEqual([
      {
        rule: "CKV_AWS_8",
        address: "aws_launch_template.lt",
        message: "no block_device_mappings: the root volume's encryption is left to the AMI; map it with ebs.encrypted = true",
      },
    ]);
  });

  test("Noncompliance 2: an unencrypted mapping, instance root device and volume", () => {
    // GIVEN three unencrypted volumes of different kinds
    const findings = check(ebsEncrypted, (stack) => {
      new LaunchTemplate(stack, "lt", { imageId: "ami-1", blockDeviceMappings: [{ deviceName: "/dev/xvdb", ebs: { volumeSize: 10 } }] });
      new Instance(stack, "vm", { ami: "ami-1", rootBlockDevice: { volumeSize: 8 } });
      new EbsVolume(stack, "data", { availabilityZone: "eu-west-1a", size: 10 });
    });
    // THEN each is reported
    expect(findings).toEqual([
      { rule: "CKV_AWS_8", address: "aws_launch_template.lt", message: "block device /dev/xvdb is not encrypted (ebs.encrypted = true)" },
      { rule: "CKV_AWS_8", address: "aws_instance.vm", message: "the root block device is not encrypted (root_block_device.encrypted = true)" },
      { rule: "CKV_AWS_8", address: "aws_ebs_volume.data", message: "the volume is not encrypted (encrypted = true)" },
    ]);
  });

  test("Compliance 1: encrypted everywhere", () => {
    // GIVEN encrypted mappings, root device and volume
    const findings = check(ebsEncrypted, (stack) => {
      new LaunchTemplate(stack, "lt", { imageId: "ami-1", ...hardened });
      new Instance(stack, "vm", { ami: "ami-1", rootBlockDevice: { encrypted: true } });
      new EbsVolume(stack, "data", { availabilityZone: "eu-west-1a", size: 10, encrypted: true });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("CKV_AWS_88 no public IP on instances", () => {
  test("Noncompliance 1: a launch template and an instance with public IPs", () => {
    // GIVEN both ways of asking for a public address
    const findings = check(noPublicIp, (stack) => {
      new LaunchTemplate(stack, "lt", { imageId: "ami-1", networkInterfaces: [{ associatePublicIpAddress: "true" }] });
      new Instance(stack, "vm", { ami: "ami-1", associatePublicIpAddress: true });
    });
    // THEN both are reported
    expect(findings).toEqual([
      { rule: "CKV_AWS_88", address: "aws_launch_template.lt", message: 'network interface #1 sets associate_public_ip_address to "true"' },
      { rule: "CKV_AWS_88", address: "aws_instance.vm", message: "associate_public_ip_address is true" },
    ]);
  });

  test("Compliance 1: public addresses turned off or left out", () => {
    // GIVEN no public address asked for
    const findings = check(noPublicIp, (stack) => {
      new LaunchTemplate(stack, "lt", { imageId: "ami-1", ...hardened });
      new Instance(stack, "vm", { ami: "ami-1" });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});
