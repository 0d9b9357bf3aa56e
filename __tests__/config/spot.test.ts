import * as fs from "fs";
import * as path from "path";
import { ConfigError, ENVIRONMENTS_DIR, parseEnvironment } from "../../config/load";
import { maxContainerInstances, runsOnContainerInstances } from "../../config/spot";

/** dev.json (Spot heavy pool on compute.spot) as raw JSON to mutate. */
const devFile = (): Record<string, any> => JSON.parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "dev.json"), "utf8"));

function problems(mutate: (raw: Record<string, any>) => void): string[] {
  const raw = devFile();
  mutate(raw);
  try {
    parseEnvironment("config/environments/dev.json", JSON.stringify(raw));
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((p) => p.replace('config/environments/dev.json: environment "dev": ', ""));
  }
}
const heavy = (raw: Record<string, any>) => raw.workerPools.find((p: any) => p.name === "heavy");

describe("EC2 Spot capacity", () => {
  it("dev: the heavy pool runs on the Spot group, counted in the instance ceiling", () => {
    // GIVEN dev.json WHEN loaded THEN it validates, and cAdvisor's ceiling adds the Spot group's maximum
    const config = parseEnvironment("config/environments/dev.json", JSON.stringify(devFile()));
    expect(config.workerPools.find((p) => p.name === "heavy")?.capacity).toBe("ec2-spot");
    expect(config.compute.spot).toEqual({ instanceTypes: ["m7i.xlarge", "m6i.xlarge", "m5.xlarge"], minInstances: 0, maxInstances: 2 });
    expect(maxContainerInstances(config.compute)).toBe(config.compute.maxInstances + 2);
  });

  it("runs ec2 and ec2-spot tasks on container instances, Fargate ones elsewhere", () => {
    expect((["ec2", "ec2-spot", "fargate", "fargate-spot"] as const).map(runsOnContainerInstances)).toEqual([true, true, false, false]);
  });

  it("refuses an ec2-spot pool without compute.spot, naming the pool and what is allowed", () => {
    expect(problems((raw) => delete raw.compute.spot)).toEqual([
      'workerPools[1].capacity = "ec2-spot" needs compute.spot (the Spot instance types and group size); expected compute.spot to be set, or capacity "ec2", "fargate" or "fargate-spot"',
    ]);
  });

  it("refuses a Spot group no pool uses", () => {
    const found = problems((raw) => (heavy(raw).capacity = "fargate-spot"));
    expect(found).toEqual([
      expect.stringMatching(/^compute\.spot = .* is set but no worker pool has capacity "ec2-spot"; expected a pool on it, or no compute\.spot/),
    ]);
  });

  it("refuses types of different sizes, arm64 types and repeats", () => {
    // GIVEN a 2xlarge among xlarges, a Graviton type and a repeated type
    const found = problems((raw) => (raw.compute.spot.instanceTypes = ["m7i.xlarge", "m7i.2xlarge", "m7g.xlarge", "m7i.xlarge"]));
    // THEN each is named with its index and the rule
    expect(found).toEqual([
      'compute.spot.instanceTypes[2] = "m7g.xlarge" is an arm64 (Graviton) type; expected an x86_64 type such as m7i.xlarge (the Airflow image is built for linux/amd64)',
      'compute.spot.instanceTypes[3] = "m7i.xlarge" is listed twice; expected distinct instance types',
      'compute.spot.instanceTypes[1] = "m7i.2xlarge" differs in size from m7i.xlarge (4 vCPU, 16 GiB): m7i.2xlarge (8 vCPU, 32 GiB); expected types of one size (same vCPUs and memory), so every Spot host takes the same tasks',
    ]);
  });

  it("refuses a Spot pool whose task does not fit on the Spot types", () => {
    // GIVEN the heavy pool at 8 vCPU / 16 GiB on 4 vCPU / 16 GiB hosts
    const found = problems((raw) => Object.assign(heavy(raw), { cpu: 8192, memory: 16384 }));
    // THEN memory and CPU are refused for each Spot type
    expect(found).toHaveLength(6);
    expect(found[0]).toBe(
      "workerPools[1].memory = 16384 does not fit on a m7i.xlarge host (about 14233 MiB schedulable); expected at most 14233 (compute.spot.instanceTypes)",
    );
    expect(found[1]).toBe("workerPools[1].cpu = 8192 exceeds the 4096 CPU units of a m7i.xlarge host (compute.spot.instanceTypes)");
  });

  it("refuses a Spot minimum above its maximum", () => {
    expect(problems((raw) => (raw.compute.spot.minInstances = 3))).toEqual([
      "compute.spot.minInstances = 3 is greater than compute.spot.maxInstances (2); expected minInstances <= maxInstances",
    ]);
  });

  it("refuses a Spot type that is not an instance type name (shape check)", () => {
    expect(problems((raw) => (raw.compute.spot.instanceTypes = ["xlarge"]))).toEqual([
      'compute.spot.instanceTypes[0] = "xlarge" is not allowed; expected an EC2 instance type such as m7i.xlarge',
    ]);
  });
});
