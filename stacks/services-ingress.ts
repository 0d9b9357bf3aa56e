import { AirflowLoadBalancer } from "../modules/alb/airflow-load-balancer";
import type { ServicesStack } from "./services-stack";

/** Flower is routed through the ALB only when it runs and the environment exposes it there. */
export function flowerBehindAlb(stack: ServicesStack): boolean {
  const { flower } = stack.config.airflow;
  return flower.enabled && flower.exposure === "alb";
}

/**
 * The ALB in front of the api-server (and Flower where exposed): internet-facing in the public subnets or internal in
 * the private ones, access logs into the storage stack's bucket, WAF when internet-facing, deletion protection in
 * production.
 */
export function environmentLoadBalancer(stack: ServicesStack): AirflowLoadBalancer {
  const { config, naming, network, storage } = stack;
  return new AirflowLoadBalancer(stack, "alb", {
    name: naming.name("alb", 32),
    internetFacing: config.alb.internetFacing,
    subnetIds: config.alb.internetFacing ? network.public_subnet_ids : network.private_subnet_ids,
    securityGroupId: network.alb_security_group_id,
    vpcId: network.vpc_id,
    certificateArn: config.alb.certificateArn,
    accessLogs: { bucket: storage.alb_logs_bucket_name, prefix: naming.albLogPrefix },
    deletionProtection: config.production,
    flower: flowerBehindAlb(stack),
    waf: config.alb.internetFacing,
  });
}
