import * as fs from "fs";
import * as path from "path";
import { ConfigError, ENVIRONMENTS_DIR, parseEnvironment } from "../../../config/load";
import type { EnvironmentConfig } from "../../../config/schema";

/**
 * `airflow.config` and `airflow.componentConfig` through the loader, as `npm run synth` reads them: every bad input
 * stops the load (nothing is synthesized) with the file, the environment, the option and what is allowed.
 */

const where = 'config/environments/prod.json: environment "prod": ';

function prodWith(airflow: Record<string, unknown>): Record<string, unknown> {
  const raw = JSON.parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "prod.json"), "utf8"));
  raw.airflow = { ...raw.airflow, config: {}, componentConfig: {}, ...airflow };
  return raw;
}

function load(airflow: Record<string, unknown>): EnvironmentConfig {
  return parseEnvironment("config/environments/prod.json", JSON.stringify(prodWith(airflow)));
}

function problems(airflow: Record<string, unknown>): string[] {
  try {
    load(airflow);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [...error.problems];
  }
}

describe("airflow.config through the loader", () => {
  it("keeps valid options, a secret reference included, and defaults both fields to empty", () => {
    const ref = { secretArn: "arn:aws:secretsmanager:eu-west-1:333333333333:secret:airflow/prod/sentry-AbC123" };
    const config = load({
      config: { "core.default_task_retries": 2, "sentry.sentry_dsn": ref },
      componentConfig: { worker: { "core.killed_task_cleanup_time": 120 } },
    });
    expect(config.airflow.config).toEqual({ "core.default_task_retries": 2, "sentry.sentry_dsn": ref });
    expect(config.airflow.componentConfig).toEqual({ worker: { "core.killed_task_cleanup_time": 120 } });
    const raw = prodWith({});
    delete (raw.airflow as Record<string, unknown>).config;
    delete (raw.airflow as Record<string, unknown>).componentConfig;
    const bare = parseEnvironment("config/environments/prod.json", JSON.stringify(raw));
    expect([bare.airflow.config, bare.airflow.componentConfig]).toEqual([{}, {}]);
  });

  it.each([
    [
      "an unknown option",
      { config: { "scheduler.parallelism": 256 } },
      `${where}airflow.config["scheduler.parallelism"] = 256 is not an option of Airflow 3.1.5 or its installed providers ([scheduler] has no option parallelism); did you mean core.parallelism?`,
    ],
    [
      "a managed option",
      { componentConfig: { worker: { "celery.worker_concurrency": 32 } } },
      `${where}airflow.componentConfig.worker["celery.worker_concurrency"] = 32 is managed by the platform (each pool's workers run with the pool's concurrency); set workerPools[].concurrency instead`,
    ],
    [
      "a secret in plain text",
      { config: { "sentry.sentry_dsn": "https://key@o1.ingest.sentry.io/1" } },
      `${where}airflow.config["sentry.sentry_dsn"] = "(hidden)" is a secret and would sit in plain text in the task definitions; keep it in Secrets Manager and give {"secretArn": "arn:aws:secretsmanager:eu-west-1:333333333333:secret:<name>-AbC123"} (sentry.sentry_dsn: string, default "", sensitive)`,
    ],
    [
      "a wrong type",
      { config: { "core.default_task_retries": "2" } },
      `${where}airflow.config["core.default_task_retries"] = "2" is a string; expected an integer (core.default_task_retries: integer, default "0")`,
    ],
    [
      "an override that breaks the capacity rule",
      { config: { "core.parallelism": 64 } },
      `${where}airflow.config["core.parallelism"] = 64 is too low: 1 scheduler (of 2, one may be down) x 64 = 64 task slots, but the worker pools can run 208 tasks at once (default 12 x 16 + heavy 4 x 4); expected at least 208, or leave it out (derived: 208)`,
    ],
    [
      "an override that breaks the token rule",
      { componentConfig: { scheduler: { "execution_api.jwt_expiration_time": 600 } } },
      `${where}airflow.componentConfig.scheduler["execution_api.jwt_expiration_time"] = 600 lets a queued task's token expire before the scheduler requeues the task with a fresh one: task_queued_timeout 780 s + check interval 120 s + 60 s margin = 960 s; expected at least 960 (execution_api.jwt_expiration_time of the scheduler)`,
    ],
    [
      "a value that is no option value at all",
      { config: { "core.default_task_retries": [2] } },
      `${where}airflow.config["core.default_task_retries"] = [2] is a array; expected a string: text of at most 4096 characters, a number from -1000000000000 to 1000000000000, true or false or an object with fields secretArn`,
    ],
    [
      "an unknown component",
      { componentConfig: { webserver: { "api.workers": 2 } } },
      `${where}airflow.componentConfig.webserver = {"api.workers":2} is not a known field; allowed fields here: apiServer, scheduler, dagProcessor, triggerer, worker, flower, migrate`,
    ],
  ])("refuses %s, naming the file, environment and option", (_case, airflow, message) => {
    expect(problems(airflow)).toEqual([message]);
  });
});
