import { estimateCost, MissingPriceError } from "../../../../scripts/analysis/cost-estimate";
import { EnvironmentModel } from "../../../../scripts/analysis/model";
import { environment, item, prodWithInstanceType, report } from "./reports";

describe("compute line items", () => {
  it("prod-compute: container instances at min_size (headline) and max_size, with their root volumes", () => {
    // GIVEN the ASG airflow-prod-ec2 (m7i.xlarge, min 3, max 12, 60 GB gp3) and the bastion (t4g.nano, 8 GB)
    const r = report("prod");
    // THEN 3 × $0.2247 × 730 = $492.09 (12 × = $1,968.37); 3 × 60 GB × $0.088 = $15.84; bastion 1 × $0.0046 × 730 = $3.36
    expect(item(r, "prod-compute", "EC2 m7i.xlarge")).toMatchObject({ quantity: 3, monthly: 492.09, monthlyAtMax: 1968.37 });
    expect(item(r, "prod-compute", "EBS gp3 (ASG airflow-prod-ec2")).toMatchObject({ quantity: 180, monthly: 15.84, monthlyAtMax: 63.36 });
    expect(item(r, "prod-compute", "EC2 t4g.nano")).toMatchObject({ quantity: 1, monthly: 3.36, monthlyAtMax: 3.36 });
  });

  it("services: the publisher Lambda by its schedule, an event-driven Lambda at zero", () => {
    // GIVEN the publisher (every minute, 55 s timeout, 256 MB)
    const prod = report("prod");
    // THEN Lambda = 43,800 runs × 55 s × 0.25 GB = 602,250 GB-s × $0.0000166667 + 0.0438M requests × $0.20 = $10.05
    expect(item(prod, "prod-services", "Lambda airflow-prod-queue-depth-publisher")).toMatchObject({ quantity: 43800, monthly: 10.05 });
    expect(item(prod, "prod-services", "Lambda airflow-prod-service-redeployer")).toMatchObject({ monthly: 0 });
  });

  it("services: Fargate Spot workers at their minimum, and at their maximum", () => {
    // GIVEN dev's Fargate Spot pool (1 vCPU/2 GB min 1 max 4)
    const dev = report("dev");
    // THEN worker-default = 1 × (1 × $0.013368 + 2 × $0.0014595) × 730 = $11.89 (4 × = $47.56), and it stops while hibernating
    expect(item(dev, "dev-services", "Fargate Spot worker-default")).toMatchObject({ quantity: 1, monthly: 11.89, monthlyAtMax: 47.56, hibernates: true });
  });

  it("dev-compute: the Spot group at the dearest type's on-demand price less the Spot discount, nothing at min_size 0", () => {
    // GIVEN dev's Spot group (m7i.xlarge $0.2247, m6i.xlarge $0.214, m5.xlarge $0.214; min 0, max 2; 40 GB)
    const dev = report("dev");
    // THEN $0.2247 × 35% = $0.0786/h: 0 at steady state, 2 × $0.0786 × 730 = $114.76 at max; its volumes 2 × 40 GB × $0.088 = $7.04
    expect(item(dev, "dev-compute", "EC2 Spot m7i.xlarge/m6i.xlarge/m5.xlarge (ASG airflow-dev-ec2-spot")).toMatchObject({
      quantity: 0,
      monthly: 0,
      monthlyAtMax: 114.76,
      basis: "0 × $0.0786/h (on-demand $0.2247 − 65% Spot) × 730 h (max: 2 ×)",
      hibernates: true,
    });
    expect(item(dev, "dev-compute", "EBS gp3 (ASG airflow-dev-ec2-spot")).toMatchObject({ monthlyAtMax: 7.04 });
    // AND the bastion's group, not an ECS capacity provider's, does not stop while hibernating
    expect(item(dev, "dev-compute", "EC2 t4g.nano").hibernates).toBeUndefined();
  });

  it("refuses a group mixing on-demand and Spot instances, which it does not price", () => {
    const env = JSON.parse(JSON.stringify(environment("dev")));
    const compute = env.stacks.find((s: any) => s.id === "dev-compute");
    const spot = Object.values(compute.json.resource.aws_autoscaling_group as Record<string, any>).find((g) => g.name === "airflow-dev-ec2-spot");
    spot.mixed_instances_policy.instances_distribution.on_demand_percentage_above_base_capacity = 50;
    expect(() => estimateCost(new EnvironmentModel(env))).toThrow(
      "Auto Scaling group airflow-dev-ec2-spot (dev-compute) mixes on-demand and Spot instances, which the estimate does not price (only all-Spot groups)",
    );
  });

  it("an instance type missing from the price table is an error naming it and the table file", () => {
    // GIVEN prod with an instance type the table does not know
    const { env, templateName } = prodWithInstanceType("m9z.large");
    // WHEN estimated THEN it fails with the type, the resource and the file to edit
    const estimate = () => estimateCost(new EnvironmentModel(env));
    expect(estimate).toThrow(MissingPriceError);
    expect(estimate).toThrow(
      `unknown EC2 instance type "m9z.large" (aws_launch_template.${templateName} in prod-compute): no eu-west-1 price in scripts/analysis/prices-eu-west-1.ts; add its on-demand hourly list price to ec2Hourly there`,
    );
  });
});
