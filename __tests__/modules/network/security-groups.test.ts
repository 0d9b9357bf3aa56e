import { TerraformOutput, Testing } from "cdktf";
import { AirflowSecurityGroups, SECURITY_GROUP_ROLES, trafficPolicy, type TrafficPolicyOptions } from "../../../modules/network/security-groups";

const options = (overrides: Partial<TrafficPolicyOptions> = {}): TrafficPolicyOptions => ({
  vpcCidr: "10.0.0.0/16",
  albAllowedCidrs: ["203.0.113.0/24"],
  albHttps: true,
  flowerBehindAlb: false,
  bastion: true,
  ...overrides,
});

function synth(o: TrafficPolicyOptions) {
  const json = JSON.parse(Testing.synthScope((scope) => new AirflowSecurityGroups(scope, "sg", { vpcId: "vpc-1", namePrefix: "airflow-test", ...o })));
  return {
    groups: Object.values(json.resource.aws_security_group) as Record<string, any>[],
    ingress: Object.values(json.resource.aws_vpc_security_group_ingress_rule) as Record<string, any>[],
    egress: Object.values(json.resource.aws_vpc_security_group_egress_rule) as Record<string, any>[],
  };
}

const flows = (o: TrafficPolicyOptions) => trafficPolicy(o).peers.map((r) => `${r.from}->${r.to}:${r.port}`);

describe("AirflowSecurityGroups", () => {
  it("exposes the id of each role's group", () => {
    // GIVEN the groups WHEN a role's id is published THEN it refers to that role's group
    const json = JSON.parse(
      Testing.synthScope((scope) => {
        const groups = new AirflowSecurityGroups(scope, "sg", { vpcId: "vpc-1", namePrefix: "airflow-test", ...options() });
        new TerraformOutput(scope, "workers", { value: groups.securityGroupId("workers") });
      }),
    );
    expect(json.output.workers.value).toMatch(/^\$\{aws_security_group\.sg_workers_\w+\.id\}$/);
  });

  it("creates one described group per role and no inline rules", () => {
    const { groups } = synth(options());
    expect(groups.map((g) => g.name).sort()).toEqual(SECURITY_GROUP_ROLES.map((r) => `airflow-test-${r.replace(/_/g, "-")}`).sort());
    expect(groups.every((g) => g.description && !g.ingress && !g.egress)).toBe(true);
  });

  it("describes every rule", () => {
    const { ingress, egress } = synth(options());
    expect([...ingress, ...egress].filter((r) => !r.description)).toEqual([]);
  });

  it("mirrors every peer flow as an egress rule on the source and an ingress rule on the target", () => {
    const { ingress, egress } = synth(options());
    const peers = trafficPolicy(options()).peers.length;
    expect(ingress.filter((r) => r.referenced_security_group_id)).toHaveLength(peers);
    expect(egress.filter((r) => r.referenced_security_group_id)).toHaveLength(peers);
  });

  it("allows the Airflow 3 flows: ALB to api-server, workers to the Execution API, api-server to log servers, data stores", () => {
    expect(flows(options())).toEqual(
      expect.arrayContaining([
        "alb->api_server:8080",
        "workers->api_server:8080",
        "api_server->workers:8793",
        "api_server->services:8794",
        "workers->redis:6379",
        "services->redis:6379",
        "workers->database:5432",
        "lambda->database:5432",
        "workers->efs:2049",
      ]),
    );
  });

  it("lets only workers and the ALB (and the bastion) reach the api-server: the triggerer and dag-processor use an in-process Execution API", () => {
    expect(flows(options({ bastion: false })).filter((f) => f.includes("->api_server"))).toEqual(["alb->api_server:8080", "workers->api_server:8080"]);
    expect(flows(options())).not.toContain("services->api_server:8080");
  });

  it("lets every Airflow group export metrics to the collector, the collector scrape cAdvisor, and nothing else reach the collector", () => {
    // GIVEN the environment's flows WHEN the collector's are picked out
    const collector = flows(options()).filter((f) => f.includes("metrics_collector"));
    // THEN OTLP/HTTP comes in from the api-server, the services and the workers; the collector reaches cAdvisor's port
    expect(collector.sort()).toEqual(
      [
        "api_server->metrics_collector:4318",
        "services->metrics_collector:4318",
        "workers->metrics_collector:4318",
        "metrics_collector->container_instances:8080",
      ].sort(),
    );
    // AND its only other traffic is HTTPS out (CloudWatch Logs, the ECS and EC2 APIs)
    expect(trafficPolicy(options()).cidrs.filter((c) => c.role === "metrics_collector")).toEqual([
      { role: "metrics_collector", direction: "egress", cidrs: ["0.0.0.0/0"], port: 443, purpose: "AWS APIs and HTTPS services" },
    ]);
  });

  it("never opens the database, broker or file system to the ALB", () => {
    expect(flows(options()).filter((f) => f.startsWith("alb->") && !f.startsWith("alb->api_server"))).toEqual([]);
  });

  it("opens only the ALB listeners to client CIDRs, and no group to the world on ingress", () => {
    const { ingress } = synth(options());
    const cidrIngress = ingress.filter((r) => r.cidr_ipv4).map((r) => `${r.cidr_ipv4}:${r.from_port}`);
    expect(cidrIngress.sort()).toEqual(["10.0.0.0/16:443", "10.0.0.0/16:8080", "203.0.113.0/24:443", "203.0.113.0/24:80"].sort());
  });

  it("serves plain HTTP only without a certificate", () => {
    const { cidrs } = trafficPolicy(options({ albHttps: false }));
    expect(cidrs.filter((r) => r.role === "alb").map((r) => r.port)).toEqual([80]);
  });

  it("opens Flower to the ALB only when Flower is exposed through it", () => {
    expect(flows(options())).not.toContain("alb->services:5555");
    expect(flows(options({ flowerBehindAlb: true }))).toContain("alb->services:5555");
  });

  it("adds bastion flows only when the bastion is enabled, and never an inbound rule to it", () => {
    expect(flows(options({ bastion: false })).filter((f) => f.includes("bastion"))).toEqual([]);
    expect(flows(options()).filter((f) => f.endsWith("bastion") || f.includes("->bastion"))).toEqual([]);
  });

  it("limits world egress to HTTPS", () => {
    const { egress } = synth(options());
    expect(egress.filter((r) => r.cidr_ipv4 === "0.0.0.0/0").every((r) => r.from_port === 443 && r.to_port === 443 && r.ip_protocol === "tcp")).toBe(true);
  });
});
