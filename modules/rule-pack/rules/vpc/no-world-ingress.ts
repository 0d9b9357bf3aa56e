import type { ResourceView } from "../../resource-view";
import { defineRule } from "../../rule";
import type { StackContext } from "../../stack-context";
import { blocks, literalNumber, literalString, strings, type Attributes } from "../../values";

const WORLD = new Set(["0.0.0.0/0", "::/0"]);
/** Ports the world may reach, and only on a load balancer's security group. */
const PUBLIC_PORTS = new Set([80, 443]);
/**
 * Security groups that belong to the ALB although the ALB lives in another stack: the network stack's ALB group
 * (construct path `security-groups/alb`). A group used by an `aws_lb` of the same stack counts as well.
 */
export const LOAD_BALANCER_SECURITY_GROUP_PATHS: readonly string[] = ["security-groups/alb"];

interface Opening {
  readonly cidr: string;
  readonly protocol: string;
  readonly from?: number;
  readonly to?: number;
}

function openings(rule: Attributes, cidrKeys: readonly string[], protocolKey: string): Opening[] {
  const protocol = String(literalString(rule[protocolKey]) ?? rule[protocolKey] ?? "");
  const cidrs = cidrKeys.flatMap((k) => strings(rule[k]));
  return cidrs.filter((c) => WORLD.has(c)).map((cidr) => ({ cidr, protocol, from: literalNumber(rule.from_port), to: literalNumber(rule.to_port) }));
}

const allPorts = (o: Opening) => o.protocol === "-1" || o.protocol.toLowerCase() === "all";
const describePorts = (o: Opening) =>
  allPorts(o) ? "all ports" : o.from === o.to ? `${o.protocol}/${o.from}` : `${o.protocol}/${o.from ?? "?"}-${o.to ?? "?"}`;
const isTcp = (o: Opening) => o.protocol.toLowerCase() === "tcp" || o.protocol === "6";
const publicPortsOnly = (o: Opening) => !allPorts(o) && isTcp(o) && o.from !== undefined && o.from === o.to && PUBLIC_PORTS.has(o.from);

function isLoadBalancerGroup(group: ResourceView | undefined, stack: StackContext): boolean {
  if (!group) return false;
  if (LOAD_BALANCER_SECURITY_GROUP_PATHS.includes(group.path)) return true;
  return [...stack.resources("aws_lb"), ...stack.resources("aws_alb")].some((lb) => stack.referencedResources(lb.get("security_groups")).includes(group));
}

/**
 * Project rule over Checkov CKV_AWS_24 (22), CKV_AWS_25 (3389), CKV_AWS_260 (80), CKV_AWS_277 (all ports), cdk-nag
 * AwsSolutions-EC23 and Trivy AVD-AWS-0107: stricter, since only the ALB's group may be open to the world, on 80 and 443.
 */
export const noWorldIngress = defineRule({
  id: "AIRFLOW_VPC_NO_WORLD_INGRESS",
  aliases: ["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277", "AwsSolutions-EC23", "AVD-AWS-0107"],
  title: "No ingress from the internet except the ALB's 80/443",
  rationale: "Everything but the load balancer's listeners must be unreachable from 0.0.0.0/0 and ::/0; operators come in through Session Manager.",
  resourceTypes: ["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"],
  companions: ["aws_lb", "aws_alb"],
  check: (resource, stack) => {
    let found: Opening[];
    if (resource.type === "aws_security_group") {
      found = blocks(resource.get("ingress")).flatMap((rule) => openings(rule, ["cidr_blocks", "ipv6_cidr_blocks"], "protocol"));
    } else if (resource.type === "aws_security_group_rule") {
      found = literalString(resource.get("type")) === "ingress" ? openings(resource.attrs, ["cidr_blocks", "ipv6_cidr_blocks"], "protocol") : [];
    } else {
      found = openings(resource.attrs, ["cidr_ipv4", "cidr_ipv6"], "ip_protocol");
    }
    if (found.length === 0) return undefined;
    const group: ResourceView | undefined =
      resource.type === "aws_security_group" ? resource : stack.referenced("aws_security_group", resource.get("security_group_id"));
    const loadBalancer = isLoadBalancerGroup(group, stack);
    return found
      .filter((o) => !(loadBalancer && publicPortsOnly(o)))
      .map((o) => `ingress from ${o.cidr} on ${describePorts(o)}: only the load balancer's security group may accept the internet, on tcp/80 and tcp/443`);
  },
});
