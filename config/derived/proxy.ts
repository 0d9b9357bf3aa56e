import type { EnvironmentConfig } from "../schema";

/**
 * The peers the api-server trusts for X-Forwarded-For/-Proto (uvicorn's FORWARDED_ALLOW_IPS): the CIDRs of the subnets
 * the ALB sits in, the public ones when it is internet-facing and the private ones otherwise (the services stack
 * places it by the same rule). Only the ALB's nodes reach the api-server from the public subnets; the whole VPC CIDR
 * would also let any task in the VPC forge a client address. An internal ALB shares the private subnets with the
 * tasks, so there the security groups (only the ALB, workers and the bastion reach port 8080) do the rest.
 */
export function albSubnetCidrs(config: Pick<EnvironmentConfig, "alb" | "network">): readonly string[] {
  return config.alb.internetFacing ? config.network.subnets.public : config.network.subnets.private;
}
