/**
 * The Airflow options of each component: the values the platform derives from the environment (capacity, queue
 * timing), overridden by the environment's own `airflow.config` and `airflow.componentConfig` where that is safe,
 * and the rules the result must keep (every worker slot reachable; no queued task outliving its token). A broken
 * rule is an issue naming the option and the numbers, reported before anything is synthesized.
 */
import type { FieldIssue } from "../spec/check";
import { COMPONENTS, type Component } from "../../runtime/airflow-image";
import {
  checkAirflowOptions,
  checkComponentOptions,
  OPTION_COMPONENTS,
  type AirflowOptionSetting,
  type OptionComponent,
  type OptionsContext,
} from "../airflow-options/validate";
import { environmentVariableName } from "../airflow-options/lookup";
import { airflowCapacity, type AirflowCapacity, type CapacityInputs } from "./capacity";
import { checkQueueTiming, queueTiming, worstQueuedWait, type QueueTiming, type WorstQueuedWait } from "./queue-timing";
import type { WorkerPoolConfig } from "../schema";

/** What the options are resolved from: the environment, with its raw `airflow.config` / `airflow.componentConfig`. */
export interface AirflowOptionsEnvironment {
  readonly account: { readonly id: string; readonly region: string };
  readonly workerPools: readonly Pick<WorkerPoolConfig, "name" | "maxCount" | "concurrency" | "capacity">[];
  readonly airflow: Pick<CapacityInputs, "scheduler" | "dagProcessor"> & { readonly config?: unknown; readonly componentConfig?: unknown };
}

/** One component's options as ECS sets them: plain variables, and variables ECS resolves from Secrets Manager. */
export interface ComponentOptions {
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, string>>;
}

/** Components that parse or schedule DAGs, and so read a DAG's default `max_active_tasks`. */
const DAG_READERS: readonly Component[] = ["api-server", "scheduler", "dag-processor", "triggerer", "worker"];

/**
 * The derived options, and the components each is set on: only where Airflow reads it, so a change of the worker
 * pools restarts the scheduler and the migrate task, not every service.
 * - parallelism and the queue timing are read by the scheduler (its executor mints the tokens); the api-server
 *   also mints (refreshes) Execution-API tokens, so it gets their lifetime too;
 * - `default_pool_task_slot_count` matters where the pool is created and resized: the migrate task;
 * - a DAG's default `max_active_tasks` is read wherever DAGs are parsed or scheduled.
 */
const DERIVED_OPTIONS: readonly { readonly option: string; readonly components: readonly Component[]; readonly value: (d: Derived) => number }[] = [
  { option: "core.parallelism", components: ["scheduler"], value: (d) => d.capacity.parallelism },
  { option: "core.default_pool_task_slot_count", components: ["migrate"], value: (d) => d.capacity.defaultPoolSlots },
  { option: "core.max_active_tasks_per_dag", components: DAG_READERS, value: (d) => d.capacity.maxActiveTasksPerDag },
  { option: "dag_processor.parsing_processes", components: ["dag-processor"], value: (d) => d.capacity.parsingProcesses },
  { option: "scheduler.task_queued_timeout", components: ["scheduler"], value: (d) => d.timing.taskQueuedTimeout },
  { option: "scheduler.task_queued_timeout_check_interval", components: ["scheduler"], value: (d) => d.timing.checkInterval },
  { option: "execution_api.jwt_expiration_time", components: ["scheduler", "api-server"], value: (d) => d.timing.jwtExpiration },
];

/** Options an environment may override only with a plain number, checked against the rules below. */
export const RULE_CHECKED_OPTIONS: ReadonlySet<string> = new Set([
  "core.parallelism",
  "core.default_pool_task_slot_count",
  "scheduler.task_queued_timeout",
  "scheduler.task_queued_timeout_check_interval",
  "execution_api.jwt_expiration_time",
]);

interface Derived {
  readonly capacity: AirflowCapacity;
  readonly timing: QueueTiming;
}

/** Everything resolved: the derived values, each component's options and the problems found. */
export interface ResolvedAirflowOptions {
  readonly capacity: AirflowCapacity;
  readonly wait: WorstQueuedWait;
  /** The scheduler's effective queue timing (derived, or as overridden). */
  readonly timing: QueueTiming;
  readonly components: Readonly<Record<Component, ComponentOptions>>;
  readonly issues: readonly FieldIssue[];
}

/** The settings in effect for one component: `airflow.config`, then its `airflow.componentConfig` entry on top. */
function effectiveSettings(
  common: readonly AirflowOptionSetting[],
  perComponent: Readonly<Partial<Record<OptionComponent, AirflowOptionSetting[]>>>,
  component: Component,
): Map<string, AirflowOptionSetting> {
  const key = (Object.keys(OPTION_COMPONENTS) as OptionComponent[]).find((k) => OPTION_COMPONENTS[k] === component)!;
  return new Map([...common, ...(perComponent[key] ?? [])].map((s) => [s.option, s]));
}

const numberOf = (setting: AirflowOptionSetting | undefined): number | undefined => setting?.number;

/** Capacity rule on effective values: the schedulers and the default pool can reach every worker slot. */
function checkCapacity(
  env: AirflowOptionsEnvironment,
  capacity: AirflowCapacity,
  settings: Record<Component, Map<string, AirflowOptionSetting>>,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const pools = env.workerPools.map((p) => `${p.name} ${p.maxCount} x ${p.concurrency}`).join(" + ");
  const slots = `the worker pools can run ${capacity.workerSlots} tasks at once (${pools})`;
  const parallelism = settings.scheduler.get("core.parallelism");
  const schedulers = env.airflow.scheduler.desiredCount;
  const counted = Math.max(1, schedulers - 1);
  if (parallelism?.number !== undefined && parallelism.number * counted < capacity.workerSlots) {
    issues.push({
      path: parallelism.path,
      value: parallelism.number,
      problem: `is too low: ${counted} scheduler${counted === 1 ? "" : "s"} (of ${schedulers}, one may be down) x ${parallelism.number} = ${parallelism.number * counted} task slots, but ${slots}; expected at least ${capacity.parallelism}, or leave it out (derived: ${capacity.parallelism})`,
    });
  }
  const pool = settings.migrate.get("core.default_pool_task_slot_count");
  if (pool?.number !== undefined && pool.number < capacity.workerSlots) {
    issues.push({
      path: pool.path,
      value: pool.number,
      problem: `is too low: default_pool would hold ${pool.number} slots, but ${slots}; expected at least ${capacity.workerSlots}, or leave it out (derived: ${capacity.defaultPoolSlots})`,
    });
  }
  return issues;
}

/**
 * Token rule on effective values: the scheduler's timeout, check interval and token lifetime (it mints the tokens of
 * queued tasks), and the api-server's token lifetime (it mints the refreshed ones).
 */
function checkTiming(wait: WorstQueuedWait, timing: QueueTiming, settings: Record<Component, Map<string, AirflowOptionSetting>>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const component of ["scheduler", "api-server"] as const) {
    const lifetime = settings[component].get("execution_api.jwt_expiration_time");
    const violations = checkQueueTiming(wait, { ...timing, jwtExpiration: lifetime?.number ?? timing.jwtExpiration });
    for (const violation of violations) {
      if (violation.option === "scheduler.task_queued_timeout" && component !== "scheduler") continue;
      const setting = violation.option === "scheduler.task_queued_timeout" ? settings.scheduler.get(violation.option) : lifetime;
      issues.push({
        path: setting?.path ?? "airflow.config",
        value: violation.value,
        problem: `${violation.problem} (${violation.option} of the ${component})`,
      });
    }
  }
  return issues;
}

/**
 * Resolves the options of every component and checks the rules. Issues cover the options themselves (unknown,
 * managed, wrong type, secret in plain text) and the rules, each at the path of the setting that breaks it.
 */
export function resolveAirflowOptions(env: AirflowOptionsEnvironment): ResolvedAirflowOptions {
  const context: OptionsContext = { accountId: env.account.id, region: env.account.region, plainOnly: RULE_CHECKED_OPTIONS };
  const common = checkAirflowOptions(env.airflow.config, "airflow.config", context);
  const perComponent = checkComponentOptions(env.airflow.componentConfig, "airflow.componentConfig", context);
  const settings = Object.fromEntries(COMPONENTS.map((c) => [c, effectiveSettings(common.settings, perComponent.settings, c)])) as Record<
    Component,
    Map<string, AirflowOptionSetting>
  >;

  const capacity = airflowCapacity({ workerPools: env.workerPools, scheduler: env.airflow.scheduler, dagProcessor: env.airflow.dagProcessor });
  const wait = worstQueuedWait(env.workerPools);
  const scheduler = settings.scheduler;
  const timing = queueTiming(wait, {
    taskQueuedTimeout: numberOf(scheduler.get("scheduler.task_queued_timeout")),
    checkInterval: numberOf(scheduler.get("scheduler.task_queued_timeout_check_interval")),
  });
  const derived: Derived = { capacity, timing };

  const components = Object.fromEntries(
    COMPONENTS.map((component) => {
      const environment: Record<string, string> = {};
      const secrets: Record<string, string> = {};
      for (const { option, components: where, value } of DERIVED_OPTIONS) {
        if (where.includes(component)) environment[variableOf(option)] = String(value(derived));
      }
      for (const setting of settings[component].values()) {
        delete environment[setting.variable];
        if ("secretArn" in setting.value) secrets[setting.variable] = setting.value.secretArn;
        else environment[setting.variable] = setting.value.text;
      }
      return [component, { environment, secrets }];
    }),
  ) as Record<Component, ComponentOptions>;

  const issues = [...common.issues, ...perComponent.issues, ...checkCapacity(env, capacity, settings), ...checkTiming(wait, timing, settings)];
  const schedulerLifetime = numberOf(scheduler.get("execution_api.jwt_expiration_time")) ?? timing.jwtExpiration;
  return { capacity, wait, timing: { ...timing, jwtExpiration: schedulerLifetime }, components, issues };
}

function variableOf(option: string): string {
  const at = option.lastIndexOf(".");
  return environmentVariableName(option.slice(0, at), option.slice(at + 1));
}

/** Secret ARNs the environment's own options reference: the task execution role must read exactly these. */
export function optionSecretArns(resolved: Pick<ResolvedAirflowOptions, "components">): string[] {
  return [...new Set(Object.values(resolved.components).flatMap((c) => Object.values(c.secrets)))].sort();
}
