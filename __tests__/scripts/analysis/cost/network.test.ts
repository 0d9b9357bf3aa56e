import { item, report } from "./reports";

describe("network line items", () => {
  it("prod-network: NAT gateways, their Elastic IPs and the interface endpoints", () => {
    // GIVEN prod: 3 NAT gateways, 3 Elastic IPs, 9 interface endpoints in 3 subnets each
    const r = report("prod");
    // THEN NAT = 3 × $0.048 × 730 h, IPv4 = 3 × $0.005 × 730 h, endpoints = 36 endpoint-AZs × $0.011 × 730 h
    expect(item(r, "prod-network", "NAT gateways")).toMatchObject({ quantity: 3, monthly: 105.12, basis: "3 × $0.048/h × 730 h" });
    expect(item(r, "prod-network", "public IPv4 addresses")).toMatchObject({ quantity: 3, monthly: 10.95 });
    expect(item(r, "prod-network", "interface VPC endpoints")).toMatchObject({ item: "interface VPC endpoints (12 endpoints)", quantity: 36, monthly: 289.08 });
  });

  it("dev-network: a single NAT gateway and no interface endpoints", () => {
    // GIVEN dev's single NAT gateway THEN 1 × $0.048 × 730 h, and no interface endpoints at all
    expect(item(report("dev"), "dev-network", "NAT gateways")).toMatchObject({ quantity: 1, monthly: 35.04 });
    expect(
      report("dev")
        .stacks.find((s) => s.stack === "dev-network")!
        .items.map((i) => i.item),
    ).not.toContainEqual(expect.stringContaining("interface VPC endpoints"));
  });
});
