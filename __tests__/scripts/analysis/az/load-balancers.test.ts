import { report, tier } from "./reports";

describe("application load balancers", () => {
  it("prod: an internet-facing ALB with a node in each of the three AZs keeps serving", () => {
    // GIVEN the prod report WHEN the ALB tier is read THEN its reason names the scheme and the AZs of its nodes
    const r = report("prod");
    expect(tier(r, "alb").why).toContain("internet-facing ALB with nodes in 3 AZs (eu-west-1a, eu-west-1b, eu-west-1c)");
  });
});
