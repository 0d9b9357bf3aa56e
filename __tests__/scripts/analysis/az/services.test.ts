import { report, tier } from "./reports";

describe("ECS services", () => {
  it("prod: spread tasks keep serving, a pool at zero scales from zero in the surviving AZs", () => {
    // GIVEN the prod report WHEN the reasons are read THEN they cite the counts, the spread and the capacity
    const r = report("prod");
    for (const id of ["api-server", "scheduler"]) {
      expect(tier(r, id).why).toContain(
        "2 tasks (desired_count 2) spread across AZs (placement spread on attribute:ecs.availability-zone; capacity provider airflow-prod-ec2, in eu-west-1a, eu-west-1b, eu-west-1c)",
      );
    }
    expect(tier(r, "worker-default").why).toContain("2 tasks (autoscaling minimum 2, max 12) spread across AZs");
    expect(tier(r, "worker-heavy").why).toContain("0 tasks (autoscaling minimum 0, max 4): scales from zero on demand");
  });

  it("prod: Flower, an operator tool of one task, is degraded (replaced in minutes), not serving", () => {
    // GIVEN prod's Flower (desired count 1) WHEN analysed THEN it recovers by replacement in a surviving AZ
    const r = report("prod");
    expect(tier(r, "flower")).toMatchObject({ critical: false, verdict: "degraded" });
    expect(tier(r, "flower").why).toContain("1 task (desired_count 1), a single task: losing its AZ stops it until ECS starts a replacement in a surviving AZ");
  });

  it("dev: a single api-server is degraded when the other AZ fails and an outage when the NAT's AZ fails", () => {
    // GIVEN dev's api-server (desired count 1) behind the single NAT WHEN analysed
    const api = tier(report("dev"), "api-server");
    // THEN losing eu-west-1b only needs a replacement, losing eu-west-1a also blocks the replacement's image pull
    expect(api.byAz).toEqual({ "eu-west-1a": "outage", "eu-west-1b": "degraded" });
    expect(api.why).toContain(
      "but when eu-west-1a fails the replacement cannot start: ecr.api, ecr.dkr, ecs, ecs-agent, ecs-telemetry, logs, secretsmanager are reachable from eu-west-1b only through the NAT gateway in eu-west-1a",
    );
  });
});
