import * as path from "path";
import { loadEnvironments } from "../../config/load";
import { HEARTBEAT } from "../../runtime/metrics";
import {
  LOG_GROOMER_COMMAND,
  MIGRATION_RECORD,
  NO_FAILURE_NOTIFICATION_TAG,
  NOTIFICATION_KIND_ATTRIBUTE,
  RUNTIME_ENV,
  TASK_FAILURE_KIND,
} from "../../runtime/airflow-image";
import { AIRFLOW_ROLES, OIDC_CALLBACK_PATH, OIDC_ENV } from "../../runtime/sign-in";
import { HEARTBEAT_PROBE_PREFIX } from "../../modules/iam/grants";
import { checkDagQueues, scanDagQueues } from "../../scripts/lib/dag-queues";
import { DOCKER_DIR, filesUnder, pythonEnv, read, runSync } from "./helpers";

/**
 * The image against the names shared with the stacks (runtime/airflow-image.ts) and the environments
 * (config/environments): statically, by reading the sources.
 */

const DAG_FILES = filesUnder(path.join(DOCKER_DIR, "dags"), (file) => file.endsWith(".py"));
const HEARTBEAT_DAG = path.join(DOCKER_DIR, "dags", "airflow_ecs_heartbeat.py");
const HEARTBEAT_MODULE = path.join(DOCKER_DIR, "config", "airflow_ecs", "heartbeat.py");
const EXAMPLE_DAG = path.join(DOCKER_DIR, "dags", "airflow_ecs_example_queues.py");
/** Every file that ends up in the image (what .dockerignore lets through), plus the Dockerfile and README. */
const IMAGE_FILES = filesUnder(DOCKER_DIR, (file) => !file.endsWith(".dockerignore"));

const environments = loadEnvironments();

/** The image's DAG folder scanned once with the project's queue scanner (Python's parser, scripts/lib/dag_queues.py). */
const DAG_SCAN = scanDagQueues(path.join(DOCKER_DIR, "dags"));

/** The queues a DAG file of the image routes tasks to. */
function queuesOf(file: string): string[] {
  const relative = path.relative(path.join(DOCKER_DIR, "dags"), file);
  return DAG_SCAN.usages.filter((usage) => usage.file === relative).map((usage) => usage.queue);
}

/** `AIRFLOW_ECS_*` names a source mentions; `_AIRFLOW_ECS_*` (internal test seams) are not environment contract. */
function contractNamesIn(text: string): Set<string> {
  return new Set([...text.matchAll(/(?<![A-Za-z0-9_])AIRFLOW_ECS_[A-Z0-9_]+/g)].map((match) => match[0]));
}

/** Top-level `NAME = "value"` assignments of a Python module. */
function pythonConstants(file: string): Record<string, string> {
  return Object.fromEntries([...read(file).matchAll(/^([A-Z][A-Z0-9_]*)\s*=\s*"([^"]*)"\s*$/gm)].map((match) => [match[1], match[2]]));
}

describe("queues the DAGs route to", () => {
  it("can all be checked: every DAG file parses and names its queues as string constants", () => {
    // GIVEN every DAG file of the image WHEN scanned THEN each is parsed and no queue value is computed
    expect(DAG_SCAN.files.map((file) => path.join(DOCKER_DIR, "dags", file))).toEqual(DAG_FILES);
    expect(DAG_SCAN.errors).toEqual([]);
    expect(DAG_SCAN.unchecked).toEqual([]);
  });

  it("are consumed by a worker pool in every environment", () => {
    // GIVEN the queues every DAG file names and the pools of every environment
    const used = [...new Set(DAG_FILES.flatMap(queuesOf))].sort();
    expect(used).toContain("default");
    // THEN no DAG sends a task to a queue some environment has no worker for (it would sit queued until it times out)
    const unconsumed = environments.flatMap((env) => checkDagQueues(env, DAG_SCAN.usages).map((problem) => `${env.name}: ${problem.message}`));
    expect(unconsumed).toEqual([]);
  });

  it("in the example DAG cover every queue all environments consume", () => {
    // GIVEN the queues consumed in every environment (prod's extra `ml` queue is not among them)
    const everywhere = environments
      .map((env) => new Set(env.workerPools.flatMap((pool) => pool.queues)))
      .reduce((common, queues) => new Set([...common].filter((queue) => queues.has(queue))));
    // THEN the example DAG has a task on each
    expect([...new Set(queuesOf(EXAMPLE_DAG))].sort()).toEqual([...everywhere].sort());
  });

  it("for the heartbeat is the default queue, which every environment must consume", () => {
    expect(new Set(queuesOf(HEARTBEAT_DAG))).toEqual(new Set(["default"]));
  });
});

describe("the log groomer and runtime/", () => {
  const module = path.join(DOCKER_DIR, "config", ...LOG_GROOMER_COMMAND[2].split(".")) + ".py";
  const constants = pythonConstants(module);

  it("is the module LOG_GROOMER_COMMAND runs, reading exactly the contract's logGroomer* variables", () => {
    expect(LOG_GROOMER_COMMAND.slice(0, 2)).toEqual(["python", "-m"]);
    const expected = Object.entries(RUNTIME_ENV)
      .filter(([key]) => key.startsWith("logGroomer"))
      .map(([, name]) => name)
      .sort();
    expect(expected).toHaveLength(5);
    expect([...contractNamesIn(read(module))].sort()).toEqual(expected);
    expect([constants.DIRECTORY_ENV, constants.MAX_AGE_ENV, constants.MAX_MEGABYTES_ENV, constants.ACTIVE_ENV, constants.INTERVAL_ENV].sort()).toEqual(
      expected,
    );
  });
});

describe("the heartbeat DAG and runtime/", () => {
  const sources = read(HEARTBEAT_DAG) + read(HEARTBEAT_MODULE);
  const constants = pythonConstants(HEARTBEAT_MODULE);

  it("has the contract's DAG id", () => {
    expect([...read(HEARTBEAT_DAG).matchAll(/\bdag_id\s*=\s*"([^"]+)"/g)].map((match) => match[1])).toEqual([HEARTBEAT.dagId]);
  });

  it("reads the namespace, metric, interval, environment, bucket and probe variable through the contract's variable names", () => {
    // GIVEN the heartbeat's Python sources
    // THEN they name exactly these runtime variables, with the contract's spelling
    expect([...contractNamesIn(sources)].sort()).toEqual(
      [
        RUNTIME_ENV.heartbeatNamespace,
        RUNTIME_ENV.heartbeatMetric,
        RUNTIME_ENV.heartbeatIntervalSeconds,
        RUNTIME_ENV.environment,
        RUNTIME_ENV.taskLogsBucket,
        RUNTIME_ENV.heartbeatProbeVariable,
      ].sort(),
    );
    expect({
      NAMESPACE_ENV: constants.NAMESPACE_ENV,
      METRIC_ENV: constants.METRIC_ENV,
      INTERVAL_ENV: constants.INTERVAL_ENV,
      ENVIRONMENT_ENV: constants.ENVIRONMENT_ENV,
      TASK_LOGS_BUCKET_ENV: constants.TASK_LOGS_BUCKET_ENV,
      PROBE_VARIABLE_ENV: constants.PROBE_VARIABLE_ENV,
    }).toEqual({
      NAMESPACE_ENV: RUNTIME_ENV.heartbeatNamespace,
      METRIC_ENV: RUNTIME_ENV.heartbeatMetric,
      INTERVAL_ENV: RUNTIME_ENV.heartbeatIntervalSeconds,
      ENVIRONMENT_ENV: RUNTIME_ENV.environment,
      TASK_LOGS_BUCKET_ENV: RUNTIME_ENV.taskLogsBucket,
      PROBE_VARIABLE_ENV: RUNTIME_ENV.heartbeatProbeVariable,
    });
  });

  it("holds no literal namespace, metric or probe-variable value anywhere in the image", () => {
    // GIVEN the values the stacks inject WHEN searching every file of the image THEN none appears
    const literals = [HEARTBEAT.namespace, HEARTBEAT.metricName, HEARTBEAT.probeVariable];
    const found = IMAGE_FILES.flatMap((file) =>
      literals.filter((value) => read(file).includes(value)).map((value) => `${path.relative(DOCKER_DIR, file)}: ${value}`),
    );
    expect(found).toEqual([]);
  });

  it("publishes with the contract's dimension and probes under the prefix the worker role may write", () => {
    expect(constants.ENVIRONMENT_DIMENSION).toBe(HEARTBEAT.environmentDimension);
    expect(constants.BUCKET_PROBE_PREFIX).toBe(`${HEARTBEAT_PROBE_PREFIX}/`);
  });

  it("derives a run timeout below the contract's interval that fits the worst case", () => {
    // GIVEN the contract's interval WHEN the heartbeat derives its timing
    const script = `import json, sys\nfrom airflow_ecs import heartbeat as h\nt = h.timing(int(sys.argv[1]))\nprint(json.dumps([t.interval.total_seconds(), t.dagrun_timeout.total_seconds(), t.worst_case_seconds]))`;
    const run = runSync("python3", ["-c", script, String(HEARTBEAT.intervalSeconds)], pythonEnv());
    expect(run.stderr).toBe("");
    const [interval, dagrunTimeout, worstCase] = JSON.parse(run.stdout) as number[];
    // THEN a stuck run fails before the next one is due, and a slow but healthy one still finishes in time
    expect(interval).toBe(HEARTBEAT.intervalSeconds);
    expect(dagrunTimeout).toBeLessThan(interval);
    expect(worstCase).toBeLessThanOrEqual(dagrunTimeout);
  });
});

describe("OIDC sign-in and runtime/", () => {
  const OIDC_MODULE = path.join(DOCKER_DIR, "config", "airflow_ecs", "oidc.py");
  const constants = pythonConstants(OIDC_MODULE);

  it("reads exactly runtime/'s OIDC variables, with runtime/'s spelling", () => {
    // GIVEN the sign-in module and the web server configuration
    const sources = read(OIDC_MODULE) + read(path.join(DOCKER_DIR, "airflow-home", "webserver_config.py"));
    // THEN they name the OIDC variables of the contract and no other runtime variable
    expect([...contractNamesIn(sources)].sort()).toEqual(Object.values(OIDC_ENV).sort());
    expect({
      PROVIDER_ENV: constants.PROVIDER_ENV,
      ISSUER_URL_ENV: constants.ISSUER_URL_ENV,
      CLIENT_ID_ENV: constants.CLIENT_ID_ENV,
      CLIENT_SECRET_ENV: constants.CLIENT_SECRET_ENV,
      SCOPES_ENV: constants.SCOPES_ENV,
      ROLE_CLAIM_ENV: constants.ROLE_CLAIM_ENV,
      ROLE_MAPPING_ENV: constants.ROLE_MAPPING_ENV,
      DEFAULT_ROLE_ENV: constants.DEFAULT_ROLE_ENV,
    }).toEqual({
      PROVIDER_ENV: OIDC_ENV.oidcProvider,
      ISSUER_URL_ENV: OIDC_ENV.oidcIssuerUrl,
      CLIENT_ID_ENV: OIDC_ENV.oidcClientId,
      CLIENT_SECRET_ENV: OIDC_ENV.oidcClientSecret,
      SCOPES_ENV: OIDC_ENV.oidcScopes,
      ROLE_CLAIM_ENV: OIDC_ENV.oidcRoleClaim,
      ROLE_MAPPING_ENV: OIDC_ENV.oidcRoleMapping,
      DEFAULT_ROLE_ENV: OIDC_ENV.oidcDefaultRole,
    });
  });

  it("has runtime/'s callback path and Airflow's roles", () => {
    expect(constants.CALLBACK_PATH).toBe(OIDC_CALLBACK_PATH);
    const roles = /^AIRFLOW_ROLES = \(([^)]*)\)$/m.exec(read(OIDC_MODULE))?.[1];
    expect(roles?.split(",").map((role) => role.trim().replace(/"/g, ""))).toEqual([...AIRFLOW_ROLES]);
  });
});

describe("the migration record, the failure notifier and runtime/", () => {
  it("writes the record with the keys npm run migrate reads", () => {
    const constants = pythonConstants(path.join(DOCKER_DIR, "config", "airflow_ecs", "migration_record.py"));
    expect({ airflowVersion: constants.AIRFLOW_VERSION_KEY, imageTag: constants.IMAGE_TAG_KEY, migratedAt: constants.MIGRATED_AT_KEY }).toEqual(
      MIGRATION_RECORD,
    );
    expect([constants.PARAMETER_ENV, constants.IMAGE_TAG_ENV]).toEqual([RUNTIME_ENV.migrationRecordParameter, RUNTIME_ENV.imageTag]);
  });

  it("reads the topic variable, tags its messages for subscription filters, and honours the documented opt-out tag", () => {
    const constants = pythonConstants(path.join(DOCKER_DIR, "config", "airflow_ecs", "failure_notifications.py"));
    expect(constants.TOPIC_ENV).toBe(RUNTIME_ENV.failureTopicArn);
    expect(constants.ENVIRONMENT_ENV).toBe(RUNTIME_ENV.environment);
    expect([constants.KIND_ATTRIBUTE, constants.TASK_FAILURE_KIND]).toEqual([NOTIFICATION_KIND_ATTRIBUTE, TASK_FAILURE_KIND]);
    expect(constants.OPT_OUT_TAG).toBe(NO_FAILURE_NOTIFICATION_TAG);
  });
});

describe("runtime variables across the image", () => {
  it("are all spelled as in runtime/, and every contract variable is read", () => {
    // GIVEN every AIRFLOW_ECS_* name in the image's scripts, Python, Dockerfile and README
    const mentioned = new Set(IMAGE_FILES.flatMap((file) => [...contractNamesIn(read(file))]));
    const contract = new Set<string>(Object.values(RUNTIME_ENV));
    // THEN none is unknown to the contract (a typo would silently read nothing)
    expect([...mentioned].filter((name) => !contract.has(name)).sort()).toEqual([]);
    // AND the image reads every variable the task definitions set
    const code = filesUnder(DOCKER_DIR, (file) => /\.(sh|py)$/.test(file))
      .map(read)
      .join("\n");
    expect([...contract].filter((name) => !contractNamesIn(code).has(name)).sort()).toEqual([]);
  });
});
