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

describe("Spot container instances", () => {
  it("dev: the Spot group, empty at steady state, loses nothing with an AZ; its replacements depend on Spot capacity", () => {
    // GIVEN dev's two groups WHEN analysed THEN each is a tier of its own, the Spot one named so
    const r = report("dev");
    const spot = tier(r, "ecs-capacity:airflow-dev-ec2-spot");
    expect(spot.tier).toBe("ECS Spot container instances (ASG airflow-dev-ec2-spot)");
    expect(tier(r, "ecs-capacity:airflow-dev-ec2").tier).toBe("ECS container instances (ASG airflow-dev-ec2)");
    // AND losing the AZ without the NAT gateway loses no Spot host (min_size 0), with the Spot caveat
    expect(spot.byAz["eu-west-1b"]).toBe("serving");
    expect(spot.why).toContain("min_size 0, max_size 2, subnets in eu-west-1a, eu-west-1b, Spot from m7i.xlarge, m6i.xlarge, m5.xlarge");
  });

  it("prod: the on-demand group is the one capacity tier", () => {
    expect(
      report("prod")
        .tiers.filter((t) => t.id.startsWith("ecs-capacity"))
        .map((t) => t.id),
    ).toEqual(["ecs-capacity"]);
  });
});
