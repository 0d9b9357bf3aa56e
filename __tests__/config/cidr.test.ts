import { carveSubnets, contains, formatCidr, overlaps, parseCidr, subnetOf } from "../../config/cidr";

describe("CIDR arithmetic", () => {
  it("parses, formats and rejects malformed CIDRs", () => {
    expect(formatCidr(parseCidr("10.20.0.0/16")!)).toBe("10.20.0.0/16");
    expect(["10.20.0.0", "10.20.0.0/33", "256.0.0.0/8", "10.20.0.1/16", "a.b.c.d/8"].map(parseCidr)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("computes subnets like Terraform's cidrsubnet", () => {
    expect(formatCidr(subnetOf(parseCidr("10.0.0.0/16")!, 4, 15))).toBe("10.0.240.0/20");
  });

  it("detects containment and overlap", () => {
    const vpc = parseCidr("10.0.0.0/16")!;
    expect([contains(vpc, parseCidr("10.0.8.0/24")!), contains(vpc, parseCidr("10.1.0.0/24")!)]).toEqual([true, false]);
    expect([overlaps(parseCidr("10.0.0.0/20")!, parseCidr("10.0.15.0/24")!), overlaps(parseCidr("10.0.0.0/20")!, parseCidr("10.0.16.0/24")!)]).toEqual([
      true,
      false,
    ]);
  });

  it("carves non-overlapping private and public subnets inside the VPC for up to six AZs", () => {
    const vpc = parseCidr("10.0.0.0/20")!;
    const layout = carveSubnets(vpc, 6);
    const all = [...layout.private, ...layout.public].map((c) => parseCidr(c)!);
    expect(all.every((c) => contains(vpc, c))).toBe(true);
    expect(all.some((a, i) => all.some((b, j) => i !== j && overlaps(a, b)))).toBe(false);
  });
});
