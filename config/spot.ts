/**
 * The Spot container instances (`compute.spot`) and the worker pools on them (`capacity: "ec2-spot"`): the group
 * exists exactly when a pool uses it, its types are x86_64 and of one size, and every Spot pool's task fits on each.
 */
import type { FieldIssue } from "./spec/check";
import { instanceArchitecture, instanceShape, taskFitProblems } from "./instance-types";
import type { CapacityKind, EnvironmentConfig } from "./schema";

/** Capacities whose tasks run on the cluster's container instances (EC2 launch, the agent's stop timeout, cAdvisor beside them). */
export function runsOnContainerInstances(capacity: CapacityKind): boolean {
  return capacity === "ec2" || capacity === "ec2-spot";
}

/** The most container instances the cluster runs: both groups at their maximum (cAdvisor keeps one task per instance). */
export function maxContainerInstances(compute: EnvironmentConfig["compute"]): number {
  return compute.maxInstances + (compute.spot?.maxInstances ?? 0);
}

export function checkSpotCapacity(config: EnvironmentConfig, report: (issue: FieldIssue) => void): void {
  const { spot } = config.compute;
  const spotPools = config.workerPools.map((pool, i) => ({ pool, path: `workerPools[${i}]` })).filter(({ pool }) => pool.capacity === "ec2-spot");
  if (!spot) {
    for (const { path } of spotPools) {
      report({
        path: `${path}.capacity`,
        value: "ec2-spot",
        problem: 'needs compute.spot (the Spot instance types and group size); expected compute.spot to be set, or capacity "ec2", "fargate" or "fargate-spot"',
      });
    }
    return;
  }
  if (spotPools.length === 0) {
    report({
      path: "compute.spot",
      value: spot,
      problem:
        'is set but no worker pool has capacity "ec2-spot"; expected a pool on it, or no compute.spot (an unused group still counts in cAdvisor\'s placement)',
    });
  }
  if (spot.minInstances > spot.maxInstances) {
    report({
      path: "compute.spot.minInstances",
      value: spot.minInstances,
      problem: `is greater than compute.spot.maxInstances (${spot.maxInstances}); expected minInstances <= maxInstances`,
    });
  }
  checkSpotTypes(spot.instanceTypes, report);
  for (const instanceType of spot.instanceTypes) {
    for (const { pool, path } of spotPools) {
      const problems = taskFitProblems(instanceType, pool);
      if (problems.memory) report({ path: `${path}.memory`, value: pool.memory, problem: `${problems.memory} (compute.spot.instanceTypes)` });
      if (problems.cpu) report({ path: `${path}.cpu`, value: pool.cpu, problem: `${problems.cpu} (compute.spot.instanceTypes)` });
    }
  }
}

/** x86_64 only, no repeats, and one size: the capacity provider sizes the group as if every host were alike. */
function checkSpotTypes(types: readonly string[], report: (issue: FieldIssue) => void): void {
  const seen = new Set<string>();
  types.forEach((type, i) => {
    const path = `compute.spot.instanceTypes[${i}]`;
    if (seen.has(type)) report({ path, value: type, problem: "is listed twice; expected distinct instance types" });
    seen.add(type);
    if (instanceArchitecture(type) !== "x86_64") {
      report({
        path,
        value: type,
        problem: "is an arm64 (Graviton) type; expected an x86_64 type such as m7i.xlarge (the Airflow image is built for linux/amd64)",
      });
    }
  });
  const known = types.map((type) => ({ type, shape: instanceShape(type) })).filter((t) => t.shape !== undefined);
  const first = known[0];
  for (const other of known.slice(1)) {
    if (other.shape!.vcpu !== first.shape!.vcpu || other.shape!.memoryMiB !== first.shape!.memoryMiB) {
      const describe = (t: typeof first) => `${t.type} (${t.shape!.vcpu} vCPU, ${t.shape!.memoryMiB / 1024} GiB)`;
      report({
        path: `compute.spot.instanceTypes[${types.indexOf(other.type)}]`,
        value: other.type,
        problem: `differs in size from ${describe(first)}: ${describe(other)}; expected types of one size (same vCPUs and memory), so every Spot host takes the same tasks`,
      });
    }
  }
}
