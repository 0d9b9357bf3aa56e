import { item, report } from "./reports";

describe("load balancing line items", () => {
  it("prod-services: the internet-facing ALB by the hour, its assumed LCU and a public IPv4 address per AZ", () => {
    // GIVEN prod's ALB in three public subnets THEN 1 × $0.0252 × 730 = $18.40; 1 LCU × $0.008 × 730 = $5.84; 3 × $0.005 × 730 = $10.95
    const r = report("prod");
    expect(item(r, "prod-services", "ALB airflow-prod-alb (hourly)")).toMatchObject({ quantity: 1, monthly: 18.4 });
    expect(item(r, "prod-services", "ALB airflow-prod-alb LCUs")).toMatchObject({ quantity: 1, monthly: 5.84 });
    expect(item(r, "prod-services", "ALB airflow-prod-alb public IPv4 addresses")).toMatchObject({ quantity: 3, monthly: 10.95 });
  });

  it("prod-services: the WAF web ACL with its rules and assumed requests", () => {
    // GIVEN prod's WAF THEN $5 + 3 rules × $1 + 1M requests × $0.60
    expect(item(report("prod"), "prod-services", "WAF web ACL")).toMatchObject({ monthly: 8.6 });
  });
});
