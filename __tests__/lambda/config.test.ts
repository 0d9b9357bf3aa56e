import { PUBLISHER_ENV } from "../../runtime/lambda";
import { ConfigError, parseConfig, routedQueues } from "../../lambda/queue-depth-publisher/config";
import { CLUSTER, POOLS, publisherEnv, SECRET_ARN } from "./fixtures";

/** The publisher's environment: every variable of PUBLISHER_ENV is required, and each problem names its variable. */
const ENDPOINT = { host: "airflow-prod.cabcdefghijk.eu-west-1.rds.amazonaws.com", port: 5432, database: "airflow" };
const valid = (overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> => publisherEnv(ENDPOINT, overrides);

function problems(env: Record<string, string | undefined>): readonly string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("parseConfig accepted the environment");
}

const SERVICE_RULE = "expected the name of the pool's ECS service (letters, digits, hyphens and underscores, 1 to 255 characters)";

const pools = (value: unknown): Record<string, string | undefined> => valid({ [PUBLISHER_ENV.pools]: JSON.stringify(value) });

describe("parseConfig", () => {
  it("reads a complete environment", () => {
    // GIVEN the environment the services stack sets
    // WHEN it is parsed
    const config = parseConfig(valid());

    // THEN every value arrives typed
    expect(config).toEqual({
      pools: POOLS,
      cluster: CLUSTER,
      environment: "prod",
      dbSecretArn: SECRET_ARN,
      db: ENDPOINT,
      samplesPerInvocation: 6,
      sampleIntervalSeconds: 10,
    });
    expect(routedQueues(config.pools)).toEqual(["default", "heavy", "ml", "adhoc"]);
  });

  it("ignores pool fields it does not use (cpu, memory, capacity of WorkerPoolConfig)", () => {
    // GIVEN pools carrying the full WorkerPoolConfig shape
    const env = pools([{ ...POOLS[0], cpu: 2048, memory: 4096, capacity: "ec2" }]);

    // WHEN parsed
    // THEN only the scaling fields are kept
    expect(parseConfig(env).pools).toEqual([POOLS[0]]);
  });

  it("lists every missing variable in one error", () => {
    // GIVEN an empty environment
    // WHEN it is parsed
    // THEN the error names all nine variables and what each accepts
    expect(() => parseConfig({})).toThrow(
      new ConfigError([
        "AIRFLOW_ECS_POOLS is not set; expected a JSON array of {name, service, queues, concurrency, minCount, maxCount}",
        "AIRFLOW_ECS_CLUSTER is not set; expected the name of the ECS cluster of the worker services (letters, digits, hyphens and underscores, 1 to 255 characters)",
        "AIRFLOW_ECS_ENVIRONMENT is not set; expected the environment name (lowercase letters, digits and inner hyphens)",
        "AIRFLOW_ECS_DB_SECRET_ARN is not set; expected the ARN of a Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>)",
        "AIRFLOW_ECS_DB_HOST is not set; expected the database host name or IP address",
        "AIRFLOW_ECS_DB_PORT is not set; expected an integer from 1 to 65535",
        "AIRFLOW_ECS_DB_NAME is not set; expected the name of the Airflow metadata database",
        "AIRFLOW_ECS_SAMPLES_PER_INVOCATION is not set; expected an integer from 1 to 60",
        "AIRFLOW_ECS_SAMPLE_INTERVAL_SECONDS is not set; expected an integer from 0 to 60",
      ]),
    );
  });

  it("formats the error as one line per problem", () => {
    // GIVEN an environment without a port
    // WHEN it is parsed
    // THEN the message starts with a title and lists the problem
    expect(() => parseConfig(valid({ [PUBLISHER_ENV.dbPort]: "" }))).toThrow(
      "Invalid queue-depth publisher environment:\n- AIRFLOW_ECS_DB_PORT is not set; expected an integer from 1 to 65535",
    );
  });

  const CLUSTER_RULE = "expected the name of the ECS cluster of the worker services (letters, digits, hyphens and underscores, 1 to 255 characters)";

  it.each([
    [PUBLISHER_ENV.cluster, " ", `AIRFLOW_ECS_CLUSTER is not set; ${CLUSTER_RULE}`],
    [PUBLISHER_ENV.cluster, "airflow prod", `AIRFLOW_ECS_CLUSTER is "airflow prod"; ${CLUSTER_RULE}`],
    [PUBLISHER_ENV.cluster, "airflow.prod", `AIRFLOW_ECS_CLUSTER is "airflow.prod"; ${CLUSTER_RULE}`],
    [
      PUBLISHER_ENV.cluster,
      "arn:aws:ecs:eu-west-1:333333333333:cluster/airflow-prod",
      `AIRFLOW_ECS_CLUSTER is "arn:aws:ecs:eu-west-1:333333333333:cluster/airflow-prod"; ${CLUSTER_RULE}`,
    ],
    [PUBLISHER_ENV.cluster, "c".repeat(256), `AIRFLOW_ECS_CLUSTER is "${"c".repeat(256)}"; ${CLUSTER_RULE}`],
    [PUBLISHER_ENV.environment, "Prod", 'AIRFLOW_ECS_ENVIRONMENT is "Prod"; expected the environment name (lowercase letters, digits and inner hyphens)'],
    [
      PUBLISHER_ENV.dbSecretArn,
      "rds!db-0123",
      'AIRFLOW_ECS_DB_SECRET_ARN is "rds!db-0123"; expected the ARN of a Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>)',
    ],
    [PUBLISHER_ENV.dbHost, "db host", 'AIRFLOW_ECS_DB_HOST is "db host"; expected the database host name or IP address'],
    [PUBLISHER_ENV.dbPort, "5432x", 'AIRFLOW_ECS_DB_PORT is "5432x"; expected an integer from 1 to 65535'],
    [PUBLISHER_ENV.dbPort, "0", 'AIRFLOW_ECS_DB_PORT is "0"; expected an integer from 1 to 65535'],
    [PUBLISHER_ENV.dbPort, "65536", 'AIRFLOW_ECS_DB_PORT is "65536"; expected an integer from 1 to 65535'],
    [PUBLISHER_ENV.dbName, "   ", "AIRFLOW_ECS_DB_NAME is not set; expected the name of the Airflow metadata database"],
    [PUBLISHER_ENV.samplesPerInvocation, "0", 'AIRFLOW_ECS_SAMPLES_PER_INVOCATION is "0"; expected an integer from 1 to 60'],
    [PUBLISHER_ENV.samplesPerInvocation, "2.5", 'AIRFLOW_ECS_SAMPLES_PER_INVOCATION is "2.5"; expected an integer from 1 to 60'],
    [PUBLISHER_ENV.sampleIntervalSeconds, "-1", 'AIRFLOW_ECS_SAMPLE_INTERVAL_SECONDS is "-1"; expected an integer from 0 to 60'],
    [PUBLISHER_ENV.sampleIntervalSeconds, "61", 'AIRFLOW_ECS_SAMPLE_INTERVAL_SECONDS is "61"; expected an integer from 0 to 60'],
  ])("rejects %s=%j, naming the variable", (name, value, message) => {
    // GIVEN a valid environment with one bad variable
    // WHEN it is parsed
    // THEN the only problem names that variable
    expect(problems(valid({ [name]: value }))).toEqual([message]);
  });

  it("accepts cluster and service names of 255 letters, digits, hyphens and underscores", () => {
    // GIVEN the longest names ECS allows, mixing every allowed character class
    const cluster = `Airflow_Prod-1${"c".repeat(241)}`;
    const service = `Worker_Default-1${"s".repeat(239)}`;

    // WHEN the environment is parsed
    const config = parseConfig(valid({ [PUBLISHER_ENV.cluster]: cluster, [PUBLISHER_ENV.pools]: JSON.stringify([{ ...POOLS[0], service }]) }));

    // THEN both are kept as given
    expect([cluster.length, service.length]).toEqual([255, 255]);
    expect({ cluster: config.cluster, service: config.pools[0].service }).toEqual({ cluster, service });
  });

  it("rejects a sampling span longer than one Lambda invocation can hold", () => {
    // GIVEN 16 samples 60 s apart: 900 s from first to last (840 s is the limit)
    const env = valid({ [PUBLISHER_ENV.samplesPerInvocation]: "16", [PUBLISHER_ENV.sampleIntervalSeconds]: "60" });

    // WHEN it is parsed
    // THEN both variables are named
    expect(problems(env)).toEqual([
      "AIRFLOW_ECS_SAMPLES_PER_INVOCATION (16) and AIRFLOW_ECS_SAMPLE_INTERVAL_SECONDS (60) span 900 s; expected at most 840 s so one invocation fits the 900 s Lambda maximum",
    ]);
  });

  it.each([
    [
      "not JSON",
      valid({ [PUBLISHER_ENV.pools]: "[{name: default}]" }),
      ["AIRFLOW_ECS_POOLS is not valid JSON; expected a JSON array of {name, service, queues, concurrency, minCount, maxCount}"],
    ],
    [
      "an object",
      pools({ default: POOLS[0] }),
      [
        `AIRFLOW_ECS_POOLS is ${JSON.stringify({ default: POOLS[0] })}; expected a JSON array of {name, service, queues, concurrency, minCount, maxCount} with at least one pool`,
      ],
    ],
    ["empty", pools([]), ["AIRFLOW_ECS_POOLS is []; expected a JSON array of {name, service, queues, concurrency, minCount, maxCount} with at least one pool"]],
    ["a string item", pools(["default"]), ['AIRFLOW_ECS_POOLS[0] is "default"; expected an object {name, service, queues, concurrency, minCount, maxCount}']],
    ["a pool without a service", pools([{ ...POOLS[0], service: undefined }]), [`AIRFLOW_ECS_POOLS[0].service is missing; ${SERVICE_RULE}`]],
    ["an empty service", pools([{ ...POOLS[0], service: "" }]), [`AIRFLOW_ECS_POOLS[0].service is ""; ${SERVICE_RULE}`]],
    ["a service that is not a string", pools([{ ...POOLS[0], service: 42 }]), [`AIRFLOW_ECS_POOLS[0].service is 42; ${SERVICE_RULE}`]],
    [
      "a service name with a slash",
      pools([POOLS[0], { ...POOLS[1], service: "airflow-prod/worker-heavy" }]),
      [`AIRFLOW_ECS_POOLS[1].service is "airflow-prod/worker-heavy"; ${SERVICE_RULE}`],
    ],
    [
      "a service name of 256 characters",
      pools([{ ...POOLS[0], service: "s".repeat(256) }]),
      [`AIRFLOW_ECS_POOLS[0].service is "${"s".repeat(256)}"; ${SERVICE_RULE}`],
    ],
    [
      "a service used by two pools",
      pools([POOLS[0], { ...POOLS[1], service: POOLS[0].service }]),
      ['AIRFLOW_ECS_POOLS[1].service "airflow-prod-worker-default" is used by another pool; expected one ECS service per pool'],
    ],
    [
      "a bad name",
      pools([{ ...POOLS[0], name: "Default_Pool" }]),
      ['AIRFLOW_ECS_POOLS[0].name is "Default_Pool"; expected lowercase letters, digits and inner hyphens'],
    ],
    ["no name", pools([{ ...POOLS[0], name: undefined }]), ["AIRFLOW_ECS_POOLS[0].name is missing; expected lowercase letters, digits and inner hyphens"]],
    [
      "a duplicate name",
      pools([POOLS[0], { ...POOLS[1], name: "default" }]),
      ['AIRFLOW_ECS_POOLS[1].name "default" is used by another pool; expected unique pool names'],
    ],
    ["no queues", pools([{ ...POOLS[0], queues: [] }]), ["AIRFLOW_ECS_POOLS[0].queues is []; expected a non-empty array of queue names"]],
    [
      "a blank queue",
      pools([{ ...POOLS[0], queues: ["default", " "] }]),
      ['AIRFLOW_ECS_POOLS[0].queues is ["default"," "]; expected a non-empty array of queue names'],
    ],
    [
      "a queue in two pools",
      pools([POOLS[0], { ...POOLS[1], queues: ["heavy", "default"] }]),
      ['AIRFLOW_ECS_POOLS[1].queues: queue "default" is already consumed by pool "default"; expected each queue in exactly one pool'],
    ],
    ["zero concurrency", pools([{ ...POOLS[0], concurrency: 0 }]), ["AIRFLOW_ECS_POOLS[0].concurrency is 0; expected an integer >= 1"]],
    ["fractional concurrency", pools([{ ...POOLS[0], concurrency: 1.5 }]), ["AIRFLOW_ECS_POOLS[0].concurrency is 1.5; expected an integer >= 1"]],
    ["a string minCount", pools([{ ...POOLS[0], minCount: "2" }]), ['AIRFLOW_ECS_POOLS[0].minCount is "2"; expected an integer >= 0']],
    ["no maxCount", pools([{ ...POOLS[0], maxCount: undefined }]), ["AIRFLOW_ECS_POOLS[0].maxCount is missing; expected an integer >= 1"]],
    [
      "minCount above maxCount",
      pools([{ ...POOLS[0], minCount: 5, maxCount: 3 }]),
      ["AIRFLOW_ECS_POOLS[0].minCount (5) is greater than maxCount (3); expected minCount <= maxCount"],
    ],
  ])("rejects AIRFLOW_ECS_POOLS that is %s", (_case, env, expected) => {
    // GIVEN a valid environment whose pools are malformed
    // WHEN it is parsed
    // THEN the problem names AIRFLOW_ECS_POOLS (and the pool and field)
    expect(problems(env)).toEqual(expected);
  });
});
