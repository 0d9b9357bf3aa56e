import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbListenerRule } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { albDropInvalidHeaders } from "../../../../modules/rule-pack/rules/elbv2/alb-drop-invalid-headers";
import { lbAccessLogs } from "../../../../modules/rule-pack/rules/elbv2/lb-access-logs";
import { lbDeletionProtection } from "../../../../modules/rule-pack/rules/elbv2/lb-deletion-protection";
import { listenerHttps } from "../../../../modules/rule-pack/rules/elbv2/listener-https";
import { listenerTlsPolicy } from "../../../../modules/rule-pack/rules/elbv2/listener-tls-policy";
import { check, DEV, PROD } from "../support";

const goodLb = {
  loadBalancerType: "application",
  subnets: ["subnet-1", "subnet-2"],
  dropInvalidHeaderFields: true,
  enableDeletionProtection: true,
  accessLogs: { bucket: "alb-logs", prefix: "alb", enabled: true },
};
const forward = [{ type: "forward", targetGroupArn: "arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/api/1" }];
const redirect = [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }];

describe("CKV_AWS_131 ALB drops invalid header fields", () => {
  test("Noncompliance 1: an ALB forwarding invalid headers", () => {
    // GIVEN an application load balancer without drop_invalid_header_fields
    const findings = check(albDropInvalidHeaders, (stack) => new Lb(stack, "alb", { subnets: ["subnet-1"] }));
    // THEN it is reported
    expect(findings).toEqual([{ rule: "CKV_AWS_131", address: "aws_lb.alb", message: "drop_invalid_header_fields is not set; set true" }]);
  });

  test("Compliance 1: the ALB drops them; a network load balancer has no such setting", () => {
    // GIVEN a compliant ALB and an NLB
    const findings = check(albDropInvalidHeaders, (stack) => {
      new Lb(stack, "alb", goodLb);
      new Lb(stack, "nlb", { loadBalancerType: "network", subnets: ["subnet-1"] });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("CKV_AWS_91 load balancer access logs", () => {
  test("Noncompliance 1: no access logs", () => {
    // GIVEN a load balancer without access_logs
    const findings = check(lbAccessLogs, (stack) => new Lb(stack, "alb", { subnets: ["subnet-1"] }));
    // THEN it is reported
    expect(findings).toEqual([{ rule: "CKV_AWS_91", address: "aws_lb.alb", message: "access logs are not enabled (access_logs { enabled = true })" }]);
  });

  test("Noncompliance 2: access logs configured but disabled", () => {
    // GIVEN access_logs with enabled = false
    const findings = check(lbAccessLogs, (stack) => new Lb(stack, "alb", { ...goodLb, accessLogs: { bucket: "alb-logs", enabled: false } }));
    // THEN it is reported
    expect(findings).toEqual([{ rule: "CKV_AWS_91", address: "aws_lb.alb", message: "access logs are not enabled (access_logs { enabled = true })" }]);
  });

  test("Compliance 1: access logs to a bucket", () => {
    // GIVEN access logs enabled to a bucket
    // THEN nothing is reported
    expect(check(lbAccessLogs, (stack) => new Lb(stack, "alb", goodLb))).toEqual([]);
  });
});

describe("CKV_AWS_150 load balancer deletion protection in production", () => {
  test("Noncompliance 1: a production ALB without deletion protection", () => {
    // GIVEN a production environment and an unprotected ALB
    const findings = check(lbDeletionProtection, (stack) => new Lb(stack, "alb", { ...goodLb, enableDeletionProtection: false }), PROD);
    // THEN it is reported
    expect(findings).toEqual([
      { rule: "CKV_AWS_150", address: "aws_lb.alb", message: "enable_deletion_protection is false in a production environment; set true" },
    ]);
  });

  test("Noncompliance 2: a stack outside any environment counts as production", () => {
    // GIVEN no environment
    const findings = check(lbDeletionProtection, (stack) => new Lb(stack, "alb", { subnets: ["subnet-1"] }), null);
    // THEN production rules apply
    expect(findings.map((f) => f.message)).toEqual(["enable_deletion_protection is not set in a production environment; set true"]);
  });

  test("Compliance 1: protected in production", () => {
    // GIVEN a protected production ALB
    // THEN nothing is reported
    expect(check(lbDeletionProtection, (stack) => new Lb(stack, "alb", goodLb), PROD)).toEqual([]);
  });

  test("Compliance 2: unprotected outside production", () => {
    // GIVEN a non-production environment
    // THEN the rule does not apply
    expect(check(lbDeletionProtection, (stack) => new Lb(stack, "alb", { subnets: ["subnet-1"] }), DEV)).toEqual([]);
  });
});

describe("CKV_AWS_2 listeners use HTTPS or only redirect to it", () => {
  test("Noncompliance 1: an HTTP listener forwarding to the api-server", () => {
    // GIVEN a plain HTTP forward listener
    const findings = check(
      listenerHttps,
      (stack) => new LbListener(stack, "http", { loadBalancerArn: "arn:lb", port: 80, protocol: "HTTP", defaultAction: forward }),
    );
    // THEN it is reported
    expect(findings).toEqual([
      {
        rule: "CKV_AWS_2",
        address: "aws_lb_listener.http",
        message: "the listener serves HTTP without redirecting to HTTPS; serve HTTPS with a certificate, or make its default action a redirect to HTTPS",
      },
    ]);
  });

  test("Noncompliance 2: a redirecting HTTP listener with a rule that forwards", () => {
    // GIVEN a redirect-only default action but a listener rule forwarding plain HTTP
    const findings = check(listenerHttps, (stack) => {
      const listener = new LbListener(stack, "http", { loadBalancerArn: "arn:lb", port: 80, protocol: "HTTP", defaultAction: redirect });
      new LbListenerRule(stack, "flower", { listenerArn: listener.arn, priority: 10, condition: [{ pathPattern: { values: ["/flower"] } }], action: forward });
    });
    // THEN the listener is reported for its rule
    expect(findings).toEqual([
      {
        rule: "CKV_AWS_2",
        address: "aws_lb_listener.http",
        message: "listener rule aws_lb_listener_rule.flower forwards plain HTTP instead of redirecting to HTTPS",
      },
    ]);
  });

  test("Compliance 1: HTTPS plus an HTTP listener that only redirects", () => {
    // GIVEN the production listener pair
    const findings = check(listenerHttps, (stack) => {
      new LbListener(stack, "https", {
        loadBalancerArn: "arn:lb",
        port: 443,
        protocol: "HTTPS",
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificateArn: "arn:cert",
        defaultAction: forward,
      });
      new LbListener(stack, "redirect", { loadBalancerArn: "arn:lb", port: 80, protocol: "HTTP", defaultAction: redirect });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("CKV_AWS_103 TLS 1.2+ listener policy", () => {
  test("Noncompliance 1: an HTTPS listener on the default policy", () => {
    // GIVEN an HTTPS listener without ssl_policy
    const findings = check(
      listenerTlsPolicy,
      (stack) =>
        new LbListener(stack, "https", { loadBalancerArn: "arn:lb", port: 443, protocol: "HTTPS", certificateArn: "arn:cert", defaultAction: forward }),
    );
    // THEN it is reported
    expect(findings).toEqual([
      {
        rule: "CKV_AWS_103",
        address: "aws_lb_listener.https",
        message:
          "ssl_policy is not set (the default ELBSecurityPolicy-2016-08 accepts TLS 1.0); use a TLS 1.2+ policy such as ELBSecurityPolicy-TLS13-1-2-2021-06",
      },
    ]);
  });

  test("Noncompliance 2: a policy that still accepts TLS 1.1", () => {
    // GIVEN ELBSecurityPolicy-TLS13-1-1-2021-06
    const findings = check(
      listenerTlsPolicy,
      (stack) =>
        new LbListener(stack, "https", {
          loadBalancerArn: "arn:lb",
          port: 443,
          protocol: "HTTPS",
          sslPolicy: "ELBSecurityPolicy-TLS13-1-1-2021-06",
          certificateArn: "arn:cert",
          defaultAction: forward,
        }),
    );
    // THEN it is reported
    expect(findings.map((f) => f.message)).toEqual([
      'ssl_policy is "ELBSecurityPolicy-TLS13-1-1-2021-06"; use a TLS 1.2+ policy such as ELBSecurityPolicy-TLS13-1-2-2021-06',
    ]);
  });

  test("Compliance 1: TLS 1.2+ policies; HTTP listeners are not in scope", () => {
    // GIVEN two TLS 1.2+ policies and an HTTP redirect
    const findings = check(listenerTlsPolicy, (stack) => {
      new LbListener(stack, "a", {
        loadBalancerArn: "arn:lb",
        port: 443,
        protocol: "HTTPS",
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificateArn: "arn:cert",
        defaultAction: forward,
      });
      new LbListener(stack, "b", {
        loadBalancerArn: "arn:lb",
        port: 8443,
        protocol: "HTTPS",
        sslPolicy: "ELBSecurityPolicy-FS-1-2-Res-2020-10",
        certificateArn: "arn:cert",
        defaultAction: forward,
      });
      new LbListener(stack, "c", { loadBalancerArn: "arn:lb", port: 80, protocol: "HTTP", defaultAction: redirect });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});
