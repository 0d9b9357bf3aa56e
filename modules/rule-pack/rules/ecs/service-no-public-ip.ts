import { defineRule } from "../../rule";
import { block, isFalse } from "../../values";

/** Checkov CKV_AWS_333. */
export const serviceNoPublicIp = defineRule({
  id: "CKV_AWS_333",
  title: "ECS services get no public IP",
  rationale: "Tasks run in private subnets; a public IP would expose every container port the security group allows.",
  resourceTypes: ["aws_ecs_service"],
  check: (service) => {
    const network = block(service.get("network_configuration"));
    if (!network || network.assign_public_ip === undefined || isFalse(network.assign_public_ip)) return undefined;
    return "network_configuration.assign_public_ip is not false";
  },
});
