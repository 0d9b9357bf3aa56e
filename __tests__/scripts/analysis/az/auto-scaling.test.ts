import { report, tier } from "./reports";

describe("Auto Scaling groups", () => {
  it("prod: the ECS container instances are balanced over three AZs with room for the replacements", () => {
    // GIVEN the prod report WHEN the capacity tier is read THEN it cites min_size, max_size and the AZ share
    const r = report("prod");
    expect(tier(r, "ecs-capacity").why).toContain(
      "min_size 3, max_size 12, subnets in eu-west-1a, eu-west-1b, eu-west-1c: the ASG balances instances over 3 AZs, so losing one removes up to 1 of 3",
    );
    expect(tier(r, "ecs-capacity").why).toContain("max_size 12 ≥ 3 + 1");
  });

  it("prod: the bastion, a group of one, is degraded (replaced in minutes), not serving", () => {
    // GIVEN prod's bastion (an ASG of one across the private subnets) WHEN analysed THEN it recovers by replacement
    const r = report("prod");
    expect(tier(r, "bastion")).toMatchObject({ critical: false, verdict: "degraded" });
    expect(tier(r, "bastion").why).toBe(
      "Auto Scaling group of min 1 / max 1 over subnets in eu-west-1a, eu-west-1b, eu-west-1c: losing its AZ loses the instance; the group launches a replacement in a surviving AZ within minutes (Session Manager: ec2messages, ssm, ssmmessages reachable).",
    );
  });
});
