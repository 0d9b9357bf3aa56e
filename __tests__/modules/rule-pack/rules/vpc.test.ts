import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import { defaultSecurityGroupClosed } from "../../../../modules/rule-pack/rules/vpc/default-security-group-closed";
import { noWorldIngress } from "../../../../modules/rule-pack/rules/vpc/no-world-ingress";
import { securityGroupDescriptions } from "../../../../modules/rule-pack/rules/vpc/security-group-descriptions";
import { vpcFlowLogs } from "../../../../modules/rule-pack/rules/vpc/vpc-flow-logs";
import { check } from "../support";

describe("CKV2_AWS_11 VPC flow logs", () => {
  test("Noncompliance 1: a VPC without a flow log in its stack", () => {
    // GIVEN a stack with a VPC only
    // WHEN the rule runs
    const findings = check(vpcFlowLogs, (stack) => new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" }));
    // THEN the VPC is reported
    expect(findings).toEqual([{ rule: "CKV2_AWS_11", address: "aws_vpc.vpc", message: "no aws_flow_log in this stack records the VPC's traffic" }]);
  });

  test("Noncompliance 2: the flow log records rejected traffic only", () => {
    // GIVEN a flow log of the VPC with traffic_type REJECT
    const findings = check(vpcFlowLogs, (stack) => {
      const vpc = new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" });
      new FlowLog(stack, "flow", { vpcId: vpc.id, trafficType: "REJECT", logDestination: "arn:aws:logs:eu-west-1:111111111111:log-group:x" });
    });
    // THEN the VPC is reported for the traffic type
    expect(findings).toEqual([
      { rule: "CKV2_AWS_11", address: "aws_vpc.vpc", message: 'no flow log of the VPC records traffic_type "ALL" (accepted and rejected traffic)' },
    ]);
  });

  test("Noncompliance 3: the stack's flow log records another VPC", () => {
    // GIVEN two VPCs, one flow log on the first
    const findings = check(vpcFlowLogs, (stack) => {
      const first = new Vpc(stack, "first", { cidrBlock: "10.0.0.0/16" });
      new Vpc(stack, "second", { cidrBlock: "10.1.0.0/16" });
      new FlowLog(stack, "flow", { vpcId: first.id, trafficType: "ALL", logDestination: "arn:aws:logs:eu-west-1:111111111111:log-group:x" });
    });
    // THEN only the second VPC is reported
    expect(findings.map((f) => f.address)).toEqual(["aws_vpc.second"]);
  });

  test("Compliance 1: a flow log of all traffic, nested in a construct", () => {
    // GIVEN the VPC and its flow log in different constructs of one stack
    const findings = check(vpcFlowLogs, (stack) => {
      const vpc = new Vpc(new Construct(stack, "network"), "vpc", { cidrBlock: "10.0.0.0/16" });
      new FlowLog(new Construct(stack, "logs"), "flow", {
        vpcId: vpc.id,
        trafficType: "ALL",
        logDestination: "arn:aws:logs:eu-west-1:111111111111:log-group:x",
      });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("CKV2_AWS_12 default security group allows nothing", () => {
  test("Noncompliance 1: the VPC's default security group is not managed", () => {
    // GIVEN a VPC without an aws_default_security_group
    const findings = check(defaultSecurityGroupClosed, (stack) => new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" }));
    // THEN the VPC is reported
    expect(findings).toEqual([
      {
        rule: "CKV2_AWS_12",
        address: "aws_vpc.vpc",
        message: "the VPC's default security group is not managed in this stack; add an aws_default_security_group without rules",
      },
    ]);
  });

  test("Noncompliance 2: the default security group keeps an ingress rule", () => {
    // GIVEN a managed default security group with one ingress rule
    const findings = check(defaultSecurityGroupClosed, (stack) => {
      const vpc = new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" });
      new DefaultSecurityGroup(stack, "default", { vpcId: vpc.id, ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["10.0.0.0/16"] }] });
    });
    // THEN the group is reported
    expect(findings).toEqual([
      {
        rule: "CKV2_AWS_12",
        address: "aws_default_security_group.default",
        message: "the default security group has 1 ingress and 0 egress rule(s); it must have none",
      },
    ]);
  });

  test("Compliance 1: the default security group is managed without rules", () => {
    // GIVEN a VPC and its rule-less default security group
    const findings = check(defaultSecurityGroupClosed, (stack) => {
      const vpc = new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" });
      new DefaultSecurityGroup(stack, "default", { vpcId: vpc.id });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("CKV_AWS_23 security groups and rules are described", () => {
  test("Noncompliance 1: a group with the provider's default description and an undescribed inline rule", () => {
    // GIVEN a security group without description and an inline ingress rule without one
    const findings = check(
      securityGroupDescriptions,
      (stack) => new SecurityGroup(stack, "sg", { vpcId: "vpc-1", ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/8"] }] }),
    );
    // THEN both are reported
    expect(findings).toEqual([
      { rule: "CKV_AWS_23", address: "aws_security_group.sg", message: "the security group has no description" },
      { rule: "CKV_AWS_23", address: "aws_security_group.sg", message: "inline ingress rule #1 has no description" },
    ]);
  });

  test("Noncompliance 2: standalone rules without a description", () => {
    // GIVEN an ingress rule, an egress rule and a legacy rule, none described
    const findings = check(securityGroupDescriptions, (stack) => {
      new VpcSecurityGroupIngressRule(stack, "in", { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "10.0.0.0/8" });
      new VpcSecurityGroupEgressRule(stack, "out", {
        securityGroupId: "sg-1",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "10.0.0.0/8",
        description: " ",
      });
      new SecurityGroupRule(stack, "legacy", {
        type: "ingress",
        securityGroupId: "sg-1",
        protocol: "tcp",
        fromPort: 22,
        toPort: 22,
        cidrBlocks: ["10.0.0.0/8"],
      });
    });
    // THEN each rule is reported
    expect(findings).toEqual([
      { rule: "CKV_AWS_23", address: "aws_vpc_security_group_ingress_rule.in", message: "the rule has no description" },
      { rule: "CKV_AWS_23", address: "aws_vpc_security_group_egress_rule.out", message: "the rule has no description" },
      { rule: "CKV_AWS_23", address: "aws_security_group_rule.legacy", message: "the rule has no description" },
    ]);
  });

  test("Compliance 1: every group and rule says what it is for", () => {
    // GIVEN a described group with a described inline rule and a described standalone rule
    const findings = check(securityGroupDescriptions, (stack) => {
      new SecurityGroup(stack, "sg", {
        vpcId: "vpc-1",
        description: "Airflow workers",
        egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "AWS APIs" }],
      });
      new VpcSecurityGroupIngressRule(stack, "in", {
        securityGroupId: "sg-1",
        ipProtocol: "tcp",
        fromPort: 8793,
        toPort: 8793,
        cidrIpv4: "10.0.0.0/16",
        description: "log server",
      });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("AIRFLOW_VPC_NO_WORLD_INGRESS no ingress from the internet except the ALB's 80/443", () => {
  test("Noncompliance 1: SSH open to the world", () => {
    // GIVEN an ingress rule from 0.0.0.0/0 on port 22
    const findings = check(noWorldIngress, (stack) => {
      const sg = new SecurityGroup(stack, "bastion", { vpcId: "vpc-1", description: "bastion" });
      new VpcSecurityGroupIngressRule(stack, "ssh", {
        securityGroupId: sg.id,
        ipProtocol: "tcp",
        fromPort: 22,
        toPort: 22,
        cidrIpv4: "0.0.0.0/0",
        description: "ssh",
      });
    });
    // THEN the rule is reported
    expect(findings).toEqual([
      {
        rule: "AIRFLOW_VPC_NO_WORLD_INGRESS",
        address: "aws_vpc_security_group_ingress_rule.ssh",
        message: "ingress from 0.0.0.0/0 on tcp/22: only the load balancer's security group may accept the internet, on tcp/80 and tcp/443",
      },
    ]);
  });

  test("Noncompliance 2: HTTPS from ::/0 on a group that is not a load balancer's", () => {
    // GIVEN an inline IPv6 ingress on 443 of an application security group
    const findings = check(
      noWorldIngress,
      (stack) =>
        new SecurityGroup(stack, "api", {
          vpcId: "vpc-1",
          description: "api",
          ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, ipv6CidrBlocks: ["::/0"], description: "https" }],
        }),
    );
    // THEN it is reported
    expect(findings).toEqual([
      {
        rule: "AIRFLOW_VPC_NO_WORLD_INGRESS",
        address: "aws_security_group.api",
        message: "ingress from ::/0 on tcp/443: only the load balancer's security group may accept the internet, on tcp/80 and tcp/443",
      },
    ]);
  });

  test("Noncompliance 3: all ports open to the world, even on the load balancer's group", () => {
    // GIVEN a legacy ingress rule for all protocols on the ALB's group (construct path security-groups/alb)
    const findings = check(noWorldIngress, (stack) => {
      const sg = new SecurityGroup(new Construct(stack, "security-groups"), "alb", { vpcId: "vpc-1", description: "alb" });
      new SecurityGroupRule(stack, "all", {
        type: "ingress",
        securityGroupId: sg.id,
        protocol: "-1",
        fromPort: 0,
        toPort: 0,
        cidrBlocks: ["0.0.0.0/0"],
        description: "all",
      });
    });
    // THEN it is reported
    expect(findings).toEqual([
      {
        rule: "AIRFLOW_VPC_NO_WORLD_INGRESS",
        address: "aws_security_group_rule.all",
        message: "ingress from 0.0.0.0/0 on all ports: only the load balancer's security group may accept the internet, on tcp/80 and tcp/443",
      },
    ]);
  });

  test("Compliance 1: 80 and 443 from the world on the network stack's ALB group", () => {
    // GIVEN world ingress on 80 and 443 of the group at security-groups/alb
    const findings = check(noWorldIngress, (stack) => {
      const sg = new SecurityGroup(new Construct(stack, "security-groups"), "alb", { vpcId: "vpc-1", description: "alb" });
      for (const port of [80, 443]) {
        new VpcSecurityGroupIngressRule(stack, `in-${port}`, {
          securityGroupId: sg.id,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          cidrIpv4: "0.0.0.0/0",
          description: "clients",
        });
      }
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });

  test("Compliance 2: 443 from the world on a group an ALB of the same stack uses", () => {
    // GIVEN a group attached to an aws_lb in the stack
    const findings = check(noWorldIngress, (stack) => {
      const sg = new SecurityGroup(stack, "front", {
        vpcId: "vpc-1",
        description: "front",
        ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "https" }],
      });
      new Lb(stack, "lb", { securityGroups: [sg.id], subnets: ["subnet-1", "subnet-2"] });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });

  test("Compliance 3: ingress from private ranges and egress to the world", () => {
    // GIVEN ingress from the VPC only and egress to 0.0.0.0/0
    const findings = check(noWorldIngress, (stack) => {
      new VpcSecurityGroupIngressRule(stack, "in", {
        securityGroupId: "sg-1",
        ipProtocol: "tcp",
        fromPort: 8080,
        toPort: 8080,
        cidrIpv4: "10.0.0.0/16",
        description: "vpc",
      });
      new VpcSecurityGroupEgressRule(stack, "out", { securityGroupId: "sg-1", ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", description: "anywhere" });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});
