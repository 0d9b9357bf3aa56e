import { report, tier } from "./az/reports";

/** The serving-path tiers of the repository's environments (a new tier must be classified on purpose). */
const SERVING_PATH = [
  "egress",
  "alb",
  "api-server",
  "scheduler",
  "dag-processor",
  "triggerer",
  "worker-default",
  "worker-heavy",
  "rds",
  "redis",
  "efs",
  "ecs-capacity",
  "lambda:queue-depth-publisher",
  "lambda:service-redeployer",
];

describe("prod survives the loss of any one AZ", () => {
  it("classifies exactly the expected tiers as the serving path", () => {
    // GIVEN / WHEN the prod report THEN its serving-path tiers are the known ones (operator tools are separate)
    const r = report("prod");
    expect(r.availabilityZones).toEqual(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    expect(r.tiers.filter((t) => t.critical).map((t) => t.id)).toEqual(SERVING_PATH);
    expect(r.tiers.filter((t) => !t.critical).map((t) => t.id)).toEqual(["flower", "cadvisor", "metrics-collector", "bastion"]);
    expect(r.summary).toBe("prod: every serving-path tier (14) keeps serving through the loss of any one of eu-west-1a, eu-west-1b, eu-west-1c.");
  });

  it.each(SERVING_PATH)("%s keeps serving whichever AZ is lost", (id) => {
    // GIVEN the prod report WHEN the tier is looked up THEN it serves through the loss of each of the three AZs
    const t = tier(report("prod"), id);
    expect({ id, verdict: t.verdict, byAz: t.byAz, why: t.why }).toEqual({
      id,
      verdict: "serving",
      byAz: { "eu-west-1a": "serving", "eu-west-1b": "serving", "eu-west-1c": "serving" },
      why: t.why,
    });
  });
});

describe("dev shows its cost-saving weak points", () => {
  it("sums them up: most serving-path tiers do not keep serving through the loss of one AZ", () => {
    // GIVEN dev (one NAT gateway, single-AZ data stores, single tasks) WHEN analysed THEN the summary counts and names them
    expect(report("dev").summary).toMatch(/^dev: 12 of 16 serving-path tiers do not keep serving through the loss of one AZ: egress \(outage\), /);
  });
});
