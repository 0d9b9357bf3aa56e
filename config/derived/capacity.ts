import type { ComponentConfig, TaskSize, WorkerPoolConfig } from "../schema";

/** What the capacity rule reads from an environment. */
export interface CapacityInputs {
  readonly workerPools: readonly Pick<WorkerPoolConfig, "name" | "maxCount" | "concurrency">[];
  readonly scheduler: Pick<ComponentConfig, "desiredCount">;
  readonly dagProcessor: TaskSize;
}

/** The Airflow capacity options of an environment, and the worker capacity they are derived from. */
export interface AirflowCapacity {
  /** Task slots of every worker pool at its largest: sum of maxCount x concurrency. */
  readonly workerSlots: number;
  /** `[core] parallelism`: running + queued task instances one scheduler's executor allows. */
  readonly parallelism: number;
  /** `[core] default_pool_task_slot_count`, and the slots the migrate task gives the existing `default_pool`. */
  readonly defaultPoolSlots: number;
  /** `[core] max_active_tasks_per_dag`: the default of a DAG's `max_active_tasks`. */
  readonly maxActiveTasksPerDag: number;
  /** `[dag_processor] parsing_processes`. */
  readonly parsingProcesses: number;
}

/** Task slots of one pool at its largest. */
export const poolSlots = (pool: Pick<WorkerPoolConfig, "maxCount" | "concurrency">): number => pool.maxCount * pool.concurrency;

/** Memory the dag-processor's manager keeps for itself, and what each parsing process may use (MiB). */
export const DAG_PROCESSOR_MEMORY = { managerMiB: 512, perParserMiB: 256 } as const;

/**
 * The capacity rule: every worker slot the pools can provide is reachable, so `maxCount` is never dead weight.
 *
 * - Airflow starts at most `[core] parallelism` task instances per scheduler (each scheduler's executor counts its own
 *   running and queued tasks), and every task not assigned to another pool takes a `default_pool` slot while queued or
 *   running (pools are counted in the database, across schedulers). With the defaults (32 and 128) prod's pools
 *   (12 x 16 + 4 x 4 = 208 slots) would run at most 64 tasks with two schedulers.
 * - `default_pool` gets exactly the worker slots: more would queue tasks no worker can take (their Execution-API
 *   token ages in the queue, see queue-timing.ts); fewer would leave workers idle. Tasks beyond it wait `scheduled`,
 *   where they hold no token.
 * - `parallelism` lets the schedulers reach every slot even with one scheduler down (a crash or a task replacement):
 *   the slots divided among all schedulers but one. Overshooting while all run is harmless: the pool bounds the total.
 * - `max_active_tasks_per_dag` lets one DAG fill the largest pool (a backfill on the heavy pool must not stall at the
 *   default 16) but not every pool at once; a DAG can still set a lower `max_active_tasks`.
 * - `parsing_processes`: one parser per half vCPU of the dag-processor (parsing alternates between imports on the CPU
 *   and waits on files and the database), at most what its memory holds after the manager's share, at least one.
 */
export function airflowCapacity(inputs: CapacityInputs): AirflowCapacity {
  const workerSlots = inputs.workerPools.reduce((sum, pool) => sum + poolSlots(pool), 0);
  const schedulersSurvivingOneLoss = Math.max(1, inputs.scheduler.desiredCount - 1);
  const byCpu = Math.floor(inputs.dagProcessor.cpu / 512);
  const byMemory = Math.floor((inputs.dagProcessor.memory - DAG_PROCESSOR_MEMORY.managerMiB) / DAG_PROCESSOR_MEMORY.perParserMiB);
  return {
    workerSlots,
    parallelism: Math.ceil(workerSlots / schedulersSurvivingOneLoss),
    defaultPoolSlots: workerSlots,
    maxActiveTasksPerDag: Math.max(...inputs.workerPools.map(poolSlots)),
    parsingProcesses: Math.max(1, Math.min(byCpu, byMemory)),
  };
}
