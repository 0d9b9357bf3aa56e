import { TerraformOutput, Testing } from "cdktf";
import { AirflowLoadBalancer, type AirflowLoadBalancerProps } from "../../../modules/alb/airflow-load-balancer";

const props = (flower: boolean): AirflowLoadBalancerProps => ({
  name: "airflow-dev-alb",
  internetFacing: false,
  subnetIds: ["subnet-a", "subnet-b"],
  securityGroupId: "sg-alb",
  vpcId: "vpc-1",
  accessLogs: { bucket: "alb-logs", prefix: "alb" },
  deletionProtection: false,
  flower,
  waf: false,
});

/** Synthesizes the ALB and publishes what it exposes as outputs, so the test sees what each member refers to. */
function synth(flower: boolean) {
  let alb: AirflowLoadBalancer | undefined;
  const json = JSON.parse(
    Testing.synthScope((scope) => {
      alb = new AirflowLoadBalancer(scope, "alb", props(flower));
      const exposed = {
        api_target: alb.target("api")!.targetGroupArn,
        flower_target: alb.target("flower")?.targetGroupArn ?? "none",
        arn_suffix: alb.arnSuffix,
        api_target_suffix: alb.apiTargetGroupArnSuffix,
        dns_name: alb.dnsName,
      };
      for (const [name, value] of Object.entries(exposed)) new TerraformOutput(scope, name, { value });
    }),
  );
  const outputs = Object.fromEntries(Object.entries(json.output as Record<string, { value: string }>).map(([k, v]) => [k, v.value]));
  return { json, outputs, alb: alb! };
}

describe("AirflowLoadBalancer", () => {
  it("exposes the api-server's target group, the ALB's metric dimensions and its DNS name", () => {
    // GIVEN an ALB without Flower THEN its members refer to its own resources
    const { outputs } = synth(false);
    expect(outputs.api_target).toMatch(/^\$\{aws_lb_target_group\.alb_api-targets_\w+\.arn\}$/);
    expect(outputs.api_target_suffix).toMatch(/^\$\{aws_lb_target_group\.alb_api-targets_\w+\.arn_suffix\}$/);
    expect(outputs.arn_suffix).toMatch(/^\$\{aws_lb\.alb_\w+\.arn_suffix\}$/);
    expect(outputs.dns_name).toMatch(/^\$\{aws_lb\.alb_\w+\.dns_name\}$/);
  });

  it("has a Flower target only when it routes /flower", () => {
    // GIVEN no Flower route THEN there is no Flower target; GIVEN one THEN its target group is Flower's
    expect(synth(false).outputs.flower_target).toBe("none");
    expect(synth(true).outputs.flower_target).toMatch(/^\$\{aws_lb_target_group\.alb_flower-targets_\w+\.arn\}$/);
  });

  it("gives the URL clients use: http without a certificate, the configured hostname when there is one", () => {
    const { alb } = synth(false);
    expect(alb.url("airflow.example.com")).toBe("http://airflow.example.com");
  });
});
