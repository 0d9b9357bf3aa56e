import { item, report } from "./reports";

describe("account service line items", () => {
  it("KMS keys and Secrets Manager secrets per stack", () => {
    // GIVEN prod: one key in the network stack, 7 secrets in the storage stack THEN $1 per key, $0.40 per secret
    const r = report("prod");
    expect(item(r, "prod-network", "KMS keys")).toMatchObject({ quantity: 1, monthly: 1 });
    expect(item(r, "prod-storage", "Secrets Manager secrets")).toMatchObject({ quantity: 7, monthly: 2.8 });
  });

  it("alarms by resolution", () => {
    // GIVEN prod's services stack THEN the two 10-second scale-out alarms are high resolution (2 × $0.30), the other 60
    // standard (60 × $0.10): 46 platform alarms (db clean's included), 9 on Airflow's metrics, 2 per worker pool (latency,
    // failures), 1 collector
    const prod = report("prod");
    expect(item(prod, "prod-services", "CloudWatch alarms, high resolution")).toMatchObject({ quantity: 2, monthly: 0.6 });
    expect(item(prod, "prod-services", "CloudWatch alarms, standard resolution")).toMatchObject({ quantity: 60, monthly: 6 });
  });

  it("the Cloud Map private DNS namespace as a hosted zone", () => {
    // GIVEN prod's compute stack (its service discovery namespace) THEN 1 × $0.50 per zone-month
    expect(item(report("prod"), "prod-compute", "Route 53 hosted zones")).toMatchObject({ quantity: 1, monthly: 0.5 });
  });
});
