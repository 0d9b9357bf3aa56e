import { estimateCost, MissingPriceError } from "../../../../scripts/analysis/cost-estimate";
import { EnvironmentModel } from "../../../../scripts/analysis/model";
import { item, prodWithInstanceType, report } from "./reports";

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
    // GIVEN dev's Fargate Spot pools (1 vCPU/2 GB min 1 max 4; 2 vCPU/8 GB min 0 max 2)
    const dev = report("dev");
    // THEN worker-default = 1 × (1 × $0.013368 + 2 × $0.0014595) × 730 = $11.89 (4 × = $47.56); worker-heavy at 0 = $0 (2 × = $56.08)
    expect(item(dev, "dev-services", "Fargate Spot worker-default")).toMatchObject({ quantity: 1, monthly: 11.89, monthlyAtMax: 47.56 });
    expect(item(dev, "dev-services", "Fargate Spot worker-heavy")).toMatchObject({ quantity: 0, monthly: 0, monthlyAtMax: 56.08 });
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
