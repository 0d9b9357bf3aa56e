import { defineRule } from "../../rule";
import { literalString } from "../../values";
import { missingPrerequisites, namedResource } from "./dependencies";

/** A public NAT gateway is created only after its VPC's internet gateway. */
export const orderNatGateway = defineRule({
  id: "AIRFLOW_ORDER_NAT_GATEWAY",
  title: "Public NAT gateway after the VPC's internet gateway",
  rationale:
    "A public NAT gateway only works once its VPC's internet gateway is attached, and none of its attributes refers to the gateway: the AWS provider's documentation asks for depends_on on it.",
  resourceTypes: ["aws_nat_gateway"],
  companions: ["aws_subnet", "aws_vpc", "aws_internet_gateway", "aws_internet_gateway_attachment"],
  check: (nat, stack) => {
    if (literalString(nat.get("connectivity_type")) === "private") return undefined;
    const subnet = namedResource(stack, ["aws_subnet"], nat.get("subnet_id"), ["id"]);
    const vpc = subnet ? stack.referenced("aws_vpc", subnet.get("vpc_id")) : undefined;
    if (!vpc) return undefined;
    const gateways = [...stack.referrers("aws_internet_gateway", "vpc_id", vpc), ...stack.referrers("aws_internet_gateway_attachment", "vpc_id", vpc)];
    return missingPrerequisites(
      stack,
      nat,
      gateways.map((gateway) => ({ resource: gateway, role: "the VPC's internet gateway" })),
    );
  },
});
