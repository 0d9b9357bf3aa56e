import { report, tier } from "./reports";

describe("Lambda functions", () => {
  it("prod: a VPC function keeps serving when the APIs its role allows stay reachable", () => {
    // GIVEN the prod report WHEN the publisher's tier is read THEN it names the APIs read from the role's policies
    const r = report("prod");
    expect(tier(r, "lambda:queue-depth-publisher").why).toContain(
      "the APIs it calls (ecs, monitoring, secretsmanager, from its role's policies) stay reachable",
    );
  });
});
