import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbListenerRule } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { PORTS } from "../../runtime/ports";
import type { MonitoredLoadBalancer } from "../operations/operated-resources";

/** TLS 1.2 and 1.3 with forward-secret ciphers only. */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
/** Public API path the ALB health-checks (no auth, does not depend on other components). */
export const API_HEALTH_PATH = "/api/v2/version";
/** Path prefix Flower serves under when it sits behind the ALB. */
export const FLOWER_PATH = "/flower";

/** The services the ALB forwards to: the api-server always, Flower when it is routed under `/flower`. */
export type AlbRoute = "api" | "flower";

/** A target group of the ALB and the listener or listener rule that routes to it. */
export interface AlbTarget {
  /** ARN of the target group (target type `ip`). */
  readonly targetGroupArn: string;
  /**
   * The listener or listener rule forwarding to the target group. ECS refuses a service whose target group no load
   * balancer uses yet, so services registering in the target group wait for it (AIRFLOW_ORDER_ECS_SERVICE_LISTENER).
   */
  readonly routedBy: ITerraformDependable;
}

export interface AirflowLoadBalancerProps {
  /** ALB name (<= 32 characters); target groups are named after it. */
  readonly name: string;
  /** Internet-facing (public subnets) or internal (private subnets). */
  readonly internetFacing: boolean;
  /** Public subnets for an internet-facing ALB, private subnets for an internal one (one per AZ). */
  readonly subnetIds: string[];
  /** Security group of the ALB (listener ports from the allowed CIDRs, egress to the targets). */
  readonly securityGroupId: string;
  /** VPC of the target groups. */
  readonly vpcId: string;
  /**
   * ACM certificate: HTTPS with HTTP redirected when set.
   * @default - plain HTTP only (non-production only, validated)
   */
  readonly certificateArn?: string;
  /** Where access logs go: an SSE-S3 bucket (ALB log delivery cannot use KMS) and a key prefix. */
  readonly accessLogs: { readonly bucket: string; readonly prefix: string };
  /** Refuse deletion through the API (production). */
  readonly deletionProtection: boolean;
  /** Route `/flower` to a Flower target group. */
  readonly flower: boolean;
  /** Put AWS WAF (managed common, known-bad-inputs and IP reputation rules) in front. */
  readonly waf: boolean;
}

/**
 * The ALB in front of the api-server: drops invalid headers, logs access to the SSE-S3 log bucket, terminates TLS
 * 1.2+ and redirects HTTP when a certificate is configured, health-checks `/api/v2/version`, deregisters targets
 * within 30 s (below the api-server's stop timeout), and optionally routes `/flower` and attaches AWS WAF.
 */
export class AirflowLoadBalancer extends Construct implements MonitoredLoadBalancer {
  /** The load balancer. */
  readonly lb: Lb;
  /** Target group of the api-server (port 8080, health check on the version endpoint). */
  readonly apiTargetGroup: LbTargetGroup;
  /** Target group of Flower, when it is routed under `/flower`. */
  readonly flowerTargetGroup?: LbTargetGroup;
  /** The api-server's target group, routed by the application listener's default action. */
  readonly apiTarget: AlbTarget;
  /** Flower's target group, routed by the `/flower` listener rule; undefined unless `flower`. */
  readonly flowerTarget?: AlbTarget;
  /** Listener serving the application (HTTPS, or HTTP without a certificate). */
  readonly listener: LbListener;
  /** Whether the listener is HTTPS (a certificate is configured). */
  readonly https: boolean;

  constructor(scope: Construct, id: string, props: AirflowLoadBalancerProps) {
    super(scope, id);
    this.lb = new Lb(this, "alb", {
      name: props.name,
      loadBalancerType: "application",
      internal: !props.internetFacing,
      subnets: props.subnetIds,
      securityGroups: [props.securityGroupId],
      dropInvalidHeaderFields: true,
      desyncMitigationMode: "defensive",
      enableDeletionProtection: props.deletionProtection,
      idleTimeout: 60,
      accessLogs: { bucket: props.accessLogs.bucket, prefix: props.accessLogs.prefix, enabled: true },
    });

    const targetGroup = (suffix: string, port: number, healthPath: string) =>
      new LbTargetGroup(this, `${suffix}-targets`, {
        name: `${props.name}-${suffix}`.slice(0, 32),
        port,
        protocol: "HTTP",
        targetType: "ip",
        vpcId: props.vpcId,
        deregistrationDelay: "30",
        healthCheck: { path: healthPath, matcher: "200", interval: 15, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3 },
      });
    this.apiTargetGroup = targetGroup("api", PORTS.apiServer, API_HEALTH_PATH);
    if (props.flower) this.flowerTargetGroup = targetGroup("flower", PORTS.flower, `${FLOWER_PATH}/healthcheck`);

    const forward = { type: "forward", targetGroupArn: this.apiTargetGroup.arn };
    this.https = props.certificateArn !== undefined;
    if (props.certificateArn) {
      this.listener = new LbListener(this, "https", {
        loadBalancerArn: this.lb.arn,
        port: PORTS.https,
        protocol: "HTTPS",
        sslPolicy: TLS_POLICY,
        certificateArn: props.certificateArn,
        defaultAction: [forward],
      });
      new LbListener(this, "http-redirect", {
        loadBalancerArn: this.lb.arn,
        port: PORTS.http,
        protocol: "HTTP",
        defaultAction: [{ type: "redirect", redirect: { protocol: "HTTPS", port: String(PORTS.https), statusCode: "HTTP_301" } }],
      });
    } else {
      this.listener = new LbListener(this, "http", { loadBalancerArn: this.lb.arn, port: PORTS.http, protocol: "HTTP", defaultAction: [forward] });
    }

    this.apiTarget = { targetGroupArn: this.apiTargetGroup.arn, routedBy: this.listener };
    if (this.flowerTargetGroup) {
      const flowerRule = new LbListenerRule(this, "flower-rule", {
        listenerArn: this.listener.arn,
        priority: 10,
        condition: [{ pathPattern: { values: [FLOWER_PATH, `${FLOWER_PATH}/*`] } }],
        action: [{ type: "forward", targetGroupArn: this.flowerTargetGroup.arn }],
      });
      this.flowerTarget = { targetGroupArn: this.flowerTargetGroup.arn, routedBy: flowerRule };
    }

    if (props.waf) {
      const managed = (name: string, priority: number) => ({
        Name: name,
        Priority: priority,
        OverrideAction: { None: {} },
        Statement: { ManagedRuleGroupStatement: { VendorName: "AWS", Name: name } },
        VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: name },
      });
      const acl = new Wafv2WebAcl(this, "waf", {
        name: props.name,
        scope: "REGIONAL",
        description: `Managed protections in front of ${props.name}`,
        defaultAction: { allow: {} },
        ruleJson: JSON.stringify([
          managed("AWSManagedRulesCommonRuleSet", 1),
          managed("AWSManagedRulesKnownBadInputsRuleSet", 2),
          managed("AWSManagedRulesAmazonIpReputationList", 3),
        ]),
        visibilityConfig: { sampledRequestsEnabled: true, cloudwatchMetricsEnabled: true, metricName: props.name },
      });
      new Wafv2WebAclAssociation(this, "waf-association", { resourceArn: this.lb.arn, webAclArn: acl.arn });
    }
  }

  /** The target (target group and what routes to it) of a service behind the ALB, or undefined when the ALB does not route to it. */
  target(route: AlbRoute): AlbTarget | undefined {
    return route === "api" ? this.apiTarget : this.flowerTarget;
  }

  get arnSuffix(): string {
    return this.lb.arnSuffix;
  }

  get apiTargetGroupArnSuffix(): string {
    return this.apiTargetGroup.arnSuffix;
  }

  /** The ALB's DNS name (point the configured hostname's record at it). */
  get dnsName(): string {
    return this.lb.dnsName;
  }

  /** The URL clients use: https when a certificate is configured. */
  url(hostname?: string): string {
    return `${this.https ? "https" : "http"}://${hostname ?? this.lb.dnsName}`;
  }
}
