import { item, report } from "./reports";

describe("database line items", () => {
  it("prod-storage: Multi-AZ RDS twice, its storage twice, two cache nodes, the RDS-managed master secret", () => {
    // GIVEN db.m7g.large Multi-AZ with 100 GB (autoscaling to 500 GB) and 2 × cache.m7g.large
    const r = report("prod");
    // THEN RDS = 2 × $0.178 × 730 = $259.88; storage = 100 × 2 × $0.127 = $25.40 (500 GB: $127); Redis = 2 × $0.176 × 730 = $256.96
    expect(item(r, "prod-storage", "RDS PostgreSQL db.m7g.large")).toMatchObject({ quantity: 2, monthly: 259.88 });
    expect(item(r, "prod-storage", "RDS storage")).toMatchObject({ quantity: 200, monthly: 25.4, monthlyAtMax: 127 });
    expect(item(r, "prod-storage", "ElastiCache cache.m7g.large × 2")).toMatchObject({ quantity: 2, monthly: 256.96 });
    // AND the master password RDS manages is one more secret at $0.40
    expect(item(r, "prod-storage", "RDS-managed master secret")).toMatchObject({ quantity: 1, monthly: 0.4 });
  });
});
