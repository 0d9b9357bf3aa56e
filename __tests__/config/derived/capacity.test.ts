import { airflowCapacity, poolSlots } from "../../../config/derived/capacity";
import { repoEnvironments } from "../../support/synth";

/** The capacity rule (config/derived/capacity.ts): every worker slot of every pool is reachable. */

describe("the capacity rule", () => {
  it("gives prod's pools (12 x 16 + 4 x 4 = 208 slots) a default pool of 208 and parallelism 208 with two schedulers", () => {
    // GIVEN prod's pools and two schedulers (one may be down)
    const capacity = airflowCapacity({
      workerPools: [
        { name: "default", maxCount: 12, concurrency: 16 },
        { name: "heavy", maxCount: 4, concurrency: 4 },
      ],
      scheduler: { desiredCount: 2 },
      dagProcessor: { cpu: 1024, memory: 2048 },
    });
    // THEN every slot is reachable by the surviving scheduler and fits the pool; one DAG can fill the largest pool
    expect(capacity).toEqual({ workerSlots: 208, parallelism: 208, defaultPoolSlots: 208, maxActiveTasksPerDag: 192, parsingProcesses: 2 });
  });

  it("splits the slots among all schedulers but one", () => {
    const capacity = airflowCapacity({
      workerPools: [{ name: "p", maxCount: 10, concurrency: 10 }],
      scheduler: { desiredCount: 3 },
      dagProcessor: { cpu: 256, memory: 512 },
    });
    expect(capacity.parallelism).toBe(50);
    expect(capacity.parallelism * (3 - 1)).toBeGreaterThanOrEqual(capacity.workerSlots);
  });

  it("runs one parser per half vCPU of the dag-processor, bounded by its memory, at least one", () => {
    const parsers = (cpu: number, memory: number) =>
      airflowCapacity({ workerPools: [{ name: "p", maxCount: 1, concurrency: 1 }], scheduler: { desiredCount: 1 }, dagProcessor: { cpu, memory } })
        .parsingProcesses;
    expect([parsers(256, 1024), parsers(1024, 2048), parsers(4096, 8192), parsers(4096, 1024)]).toEqual([1, 2, 8, 2]);
  });

  it.each(repoEnvironments().map((env) => [env.name, env] as const))(
    "makes the largest configured capacity of %s reachable: schedulers x parallelism and the default pool cover every pool at maxCount",
    (_name, env) => {
      // GIVEN the environment's pools at their maximum
      const capacity = airflowCapacity({ workerPools: env.workerPools, scheduler: env.airflow.scheduler, dagProcessor: env.airflow.dagProcessor });
      const slots = env.workerPools.reduce((sum, pool) => sum + pool.maxCount * pool.concurrency, 0);
      // THEN with one scheduler down the rest still reach every slot, and the default pool holds exactly the slots
      expect(capacity.workerSlots).toBe(slots);
      expect(Math.max(1, env.airflow.scheduler.desiredCount - 1) * capacity.parallelism).toBeGreaterThanOrEqual(slots);
      expect(capacity.defaultPoolSlots).toBe(slots);
      // AND a single DAG can fill any one pool
      for (const pool of env.workerPools) expect(capacity.maxActiveTasksPerDag).toBeGreaterThanOrEqual(poolSlots(pool));
    },
  );
});
