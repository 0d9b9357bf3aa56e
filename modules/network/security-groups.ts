import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import { PORTS } from "../../runtime/ports";

/** The security groups of an environment, one per role; the network contract publishes each id. */
export const SECURITY_GROUP_ROLES = [
  "alb",
  "api_server",
  "services",
  "workers",
  "database",
  "redis",
  "efs",
  "lambda",
  "bastion",
  "container_instances",
  "endpoints",
  "metrics_collector",
] as const;
export type SecurityGroupRole = (typeof SECURITY_GROUP_ROLES)[number];

export const SECURITY_GROUP_PURPOSE: Readonly<Record<SecurityGroupRole, string>> = {
  alb: "Application load balancer in front of the Airflow api-server",
  api_server: "Airflow api-server tasks (UI, REST API, Execution API)",
  services: "Airflow scheduler, dag-processor, triggerer, Flower and one-off tasks",
  workers: "Airflow Celery worker tasks",
  database: "RDS PostgreSQL metadata database",
  redis: "ElastiCache Redis Celery broker",
  efs: "EFS mount targets of the DAG file system",
  lambda: "Queue-depth metric publisher Lambda",
  bastion: "SSM-only bastion host (no inbound rules)",
  container_instances: "ECS container instances (host network: cAdvisor)",
  endpoints: "Interface VPC endpoints",
  metrics_collector: "Metrics collector (OTLP from Airflow, cAdvisor scrapes)",
};

/** Traffic allowed from one group to another on one port: an egress rule on `from` and an ingress rule on `to`. */
export interface PeerRule {
  readonly from: SecurityGroupRole;
  readonly to: SecurityGroupRole;
  readonly port: number;
  readonly purpose: string;
}

/** Traffic between a group and CIDR ranges. */
export interface CidrRule {
  readonly role: SecurityGroupRole;
  readonly direction: "ingress" | "egress";
  readonly cidrs: readonly string[];
  readonly port: number;
  readonly purpose: string;
}

export interface TrafficPolicyOptions {
  /** The VPC's CIDR: the endpoints and cAdvisor answer it. */
  readonly vpcCidr: string;
  /** CIDR ranges that may reach the ALB's listeners. */
  readonly albAllowedCidrs: readonly string[];
  /** With a certificate the ALB listens on 443 and redirects 80; without it serves 80 only. */
  readonly albHttps: boolean;
  /** The ALB routes `/flower` to Flower. */
  readonly flowerBehindAlb: boolean;
  /** The environment has a bastion (its flows to the UI, Flower, the database, EFS and the ALB). */
  readonly bastion: boolean;
}

const ANYWHERE = ["0.0.0.0/0"];

/** The environment's allowed flows (airflow-runtime.md section 10), as data: easy to review and to test. */
export function trafficPolicy(options: TrafficPolicyOptions): { peers: PeerRule[]; cidrs: CidrRule[] } {
  const p = PORTS;
  const peers: PeerRule[] = [
    { from: "alb", to: "api_server", port: p.apiServer, purpose: "ALB forwards UI and API requests" },
    // Only workers call the Execution API over the network. In Airflow 3.1 the triggerer and the dag-processor serve
    // it in-process (InProcessExecutionAPI) and use the database directly; the scheduler and Flower never call it.
    { from: "workers", to: "api_server", port: p.apiServer, purpose: "workers call the Execution API" },
    { from: "api_server", to: "workers", port: p.workerLogs, purpose: "api-server reads live task logs" },
    { from: "api_server", to: "services", port: p.triggererLogs, purpose: "api-server reads live trigger logs" },
    ...(["api_server", "services", "workers", "lambda"] as const).map((from) => ({
      from,
      to: "database" as const,
      port: p.postgres,
      purpose: from === "lambda" ? "publisher counts queued and running tasks" : "metadata database",
    })),
    { from: "services", to: "redis", port: p.redis, purpose: "scheduler and Flower use the Celery broker" },
    { from: "workers", to: "redis", port: p.redis, purpose: "workers consume the Celery broker" },
    ...(["api_server", "services", "workers"] as const).map((from) => ({ from, to: "efs" as const, port: p.nfs, purpose: "DAG file system (NFS over TLS)" })),
    ...(["api_server", "services", "workers"] as const).map((from) => ({
      from,
      to: "metrics_collector" as const,
      port: p.otlpHttp,
      purpose: "Airflow exports its metrics (OTLP/HTTP)",
    })),
    { from: "metrics_collector", to: "container_instances", port: p.cadvisor, purpose: "collector scrapes cAdvisor" },
  ];
  if (options.flowerBehindAlb) peers.push({ from: "alb", to: "services", port: p.flower, purpose: "ALB forwards /flower to Flower" });
  if (options.bastion) {
    peers.push(
      { from: "bastion", to: "database", port: p.postgres, purpose: "operators reach the database through the bastion" },
      { from: "bastion", to: "api_server", port: p.apiServer, purpose: "operators reach the UI through the bastion" },
      { from: "bastion", to: "services", port: p.flower, purpose: "operators reach Flower through the bastion" },
      { from: "bastion", to: "efs", port: p.nfs, purpose: "operators inspect the DAG file system" },
      { from: "bastion", to: "alb", port: options.albHttps ? p.https : p.http, purpose: "operators reach an internal ALB" },
    );
  }

  const listenerPorts = options.albHttps ? [p.https, p.http] : [p.http];
  const cidrs: CidrRule[] = [
    ...listenerPorts.map((port) => ({
      role: "alb" as const,
      direction: "ingress" as const,
      cidrs: options.albAllowedCidrs,
      port,
      purpose: port === p.http && options.albHttps ? "clients (redirected to HTTPS)" : "clients",
    })),
    { role: "endpoints", direction: "ingress", cidrs: [options.vpcCidr], port: p.https, purpose: "VPC clients use the interface endpoints" },
    { role: "container_instances", direction: "ingress", cidrs: [options.vpcCidr], port: p.cadvisor, purpose: "cAdvisor metrics, VPC only" },
    // AWS APIs (S3 logs, Secrets Manager, CloudWatch, ECR, SSM) and HTTPS services DAGs call.
    ...(["api_server", "services", "workers", "lambda", "container_instances", "bastion", "metrics_collector"] as const).map((role) => ({
      role,
      direction: "egress" as const,
      cidrs: ANYWHERE,
      port: p.https,
      purpose: "AWS APIs and HTTPS services",
    })),
  ];
  return { peers, cidrs };
}

export interface AirflowSecurityGroupsProps extends TrafficPolicyOptions {
  /** The VPC of the groups. */
  readonly vpcId: string;
  /** Name prefix, e.g. `airflow-prod`. */
  readonly namePrefix: string;
}

/** Creates one security group per role and one rule resource per allowed flow, each with a description. */
export class AirflowSecurityGroups extends Construct {
  /** One security group per role. */
  readonly groups: Readonly<Record<SecurityGroupRole, SecurityGroup>>;

  constructor(scope: Construct, id: string, props: AirflowSecurityGroupsProps) {
    super(scope, id);
    const groups = {} as Record<SecurityGroupRole, SecurityGroup>;
    for (const role of SECURITY_GROUP_ROLES) {
      const name = `${props.namePrefix}-${role.replace(/_/g, "-")}`;
      groups[role] = new SecurityGroup(this, role, {
        name,
        description: SECURITY_GROUP_PURPOSE[role],
        vpcId: props.vpcId,
        revokeRulesOnDelete: true,
        tags: { Name: name },
      });
    }
    this.groups = groups;

    const { peers, cidrs } = trafficPolicy(props);
    for (const rule of peers) {
      const common = { ipProtocol: "tcp", fromPort: rule.port, toPort: rule.port };
      new VpcSecurityGroupIngressRule(this, `${rule.to}-in-from-${rule.from}-${rule.port}`, {
        ...common,
        securityGroupId: groups[rule.to].id,
        referencedSecurityGroupId: groups[rule.from].id,
        description: `From ${rule.from}: ${rule.purpose}`,
      });
      new VpcSecurityGroupEgressRule(this, `${rule.from}-out-to-${rule.to}-${rule.port}`, {
        ...common,
        securityGroupId: groups[rule.from].id,
        referencedSecurityGroupId: groups[rule.to].id,
        description: `To ${rule.to}: ${rule.purpose}`,
      });
    }
    for (const rule of cidrs) {
      rule.cidrs.forEach((cidr, i) => {
        const props = {
          securityGroupId: groups[rule.role].id,
          ipProtocol: "tcp",
          fromPort: rule.port,
          toPort: rule.port,
          cidrIpv4: cidr,
          description: `${rule.direction === "ingress" ? "From" : "To"} ${cidr}: ${rule.purpose}`,
        };
        const ruleId = `${rule.role}-${rule.direction}-${rule.port}-cidr-${i}`;
        if (rule.direction === "ingress") new VpcSecurityGroupIngressRule(this, ruleId, props);
        else new VpcSecurityGroupEgressRule(this, ruleId, props);
      });
    }
  }

  /** The id of one role's security group. */
  securityGroupId(role: SecurityGroupRole): string {
    return this.groups[role].id;
  }
}
