import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
  AIRFLOW_OPTION_CATALOGUE,
  catalogueAirflowVersion,
  closestOptions,
  describeOptionType,
  editDistance,
  environmentVariableName,
  findOption,
  isFreeFormSection,
  isKnownSection,
} from "../../../config/airflow-options/catalogue";
import { serializeCatalogue } from "../../../scripts/airflow-options/build";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const CATALOGUE_FILE = path.join(ROOT, "config", "airflow-options", "catalogue.json");
const COMPILED = path.join(ROOT, "dist", "config", "airflow-options", "catalogue.js");

describe("the Airflow option catalogue", () => {
  test("GIVEN the image's Dockerfile WHEN its ARG AIRFLOW_VERSION default is read THEN the catalogue describes that Airflow version", () => {
    const dockerfile = fs.readFileSync(path.join(ROOT, "docker", "Dockerfile"), "utf8");
    const imageVersion = /^ARG AIRFLOW_VERSION=(\S+)\s*$/m.exec(dockerfile)?.[1];
    expect(imageVersion).toBeDefined();
    expect(catalogueAirflowVersion()).toBe(imageVersion);
  });

  test('GIVEN [core] parallelism WHEN looked up THEN it is an integer with default "32" from core', () => {
    expect(findOption("core", "parallelism")).toMatchObject({ type: "integer", default: "32", sensitive: false, provider: "core" });
  });

  test("GIVEN names in another case WHEN looked up THEN they match, as Airflow lower-cases section and key", () => {
    expect(findOption("CORE", "Parallelism")).toBe(findOption("core", "parallelism"));
    expect(isKnownSection("Celery")).toBe(true);
  });

  test("GIVEN Airflow 3 options WHEN looked up THEN [execution_api] jwt_expiration_time and [api_auth] jwt_secret exist", () => {
    expect(findOption("execution_api", "jwt_expiration_time")).toMatchObject({ type: "integer", default: "600", provider: "core" });
    expect(findOption("api_auth", "jwt_secret")).toMatchObject({ sensitive: true });
  });

  test("GIVEN provider options WHEN looked up THEN celery, amazon and fab options exist with their provider package", () => {
    expect(findOption("celery", "worker_concurrency")).toMatchObject({ provider: "apache-airflow-providers-celery", default: "16" });
    expect(findOption("celery", "broker_url")).toMatchObject({ sensitive: true });
    expect(findOption("aws_ecs_executor", "cluster")).toMatchObject({ provider: "apache-airflow-providers-amazon" });
    expect(findOption("fab", "session_lifetime_minutes")).toMatchObject({ provider: "apache-airflow-providers-fab", type: "integer" });
    expect(findOption("providers.odbc", "allow_driver_in_extra")).toMatchObject({ provider: "apache-airflow-providers-odbc", type: "boolean" });
  });

  test("GIVEN secrets WHEN looked up THEN database.sql_alchemy_conn and core.fernet_key are sensitive, core.executor is not", () => {
    expect(findOption("database", "sql_alchemy_conn")?.sensitive).toBe(true);
    expect(findOption("core", "fernet_key")?.sensitive).toBe(true);
    expect(findOption("core", "executor")?.sensitive).toBe(false);
  });

  test("GIVEN names that do not exist WHEN looked up THEN there is no option", () => {
    expect(findOption("core", "paralelism")).toBeUndefined();
    expect(findOption("scheduler", "parallelism")).toBeUndefined();
    expect(findOption("no_such_section", "x")).toBeUndefined();
    expect(isKnownSection("no_such_section")).toBe(false);
  });

  test("GIVEN sections that pass their keys to a library WHEN asked THEN they are free-form, ordinary sections are not", () => {
    expect(isFreeFormSection("celery_broker_transport_options")).toBe(true);
    expect(isFreeFormSection("CELERY_BROKER_TRANSPORT_OPTIONS")).toBe(true);
    expect(isFreeFormSection("celery_kubernetes_executor")).toBe(false);
    expect(isFreeFormSection("core")).toBe(false);
    for (const section of AIRFLOW_OPTION_CATALOGUE.freeFormSections) expect(isKnownSection(section)).toBe(true);
  });

  test("GIVEN options WHEN their environment variable is named THEN it is AIRFLOW__{SECTION}__{KEY} with dots as underscores", () => {
    expect(environmentVariableName("core", "parallelism")).toBe("AIRFLOW__CORE__PARALLELISM");
    expect(environmentVariableName("providers.odbc", "allow_driver_in_extra")).toBe("AIRFLOW__PROVIDERS_ODBC__ALLOW_DRIVER_IN_EXTRA");
    expect(environmentVariableName("common.io", "xcom_objectstorage_path")).toBe("AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH");
  });

  test("GIVEN options WHEN described for a message THEN type, default and flags are named", () => {
    expect(describeOptionType(findOption("core", "parallelism")!)).toBe('integer, default "32"');
    expect(describeOptionType(findOption("database", "sql_alchemy_conn_async")!)).toBe("string, no default, sensitive");
    expect(describeOptionType({ type: "string", default: "", sensitive: false, provider: "core", deprecated: true, versionDeprecated: "3.0.0" })).toBe(
      'string, default "", deprecated since 3.0.0',
    );
  });
});

describe("option suggestions", () => {
  test('GIVEN a misspelt key WHEN suggestions are asked THEN "core.paralelism" suggests core.parallelism first', () => {
    expect(closestOptions("core.paralelism")[0]).toBe("core.parallelism");
  });

  test("GIVEN a key in the wrong section WHEN suggestions are asked THEN scheduler.parallelism suggests core.parallelism", () => {
    expect(closestOptions("scheduler.parallelism")).toContain("core.parallelism");
  });

  test("GIVEN a transposition and another case WHEN suggestions are asked THEN the option is still found", () => {
    expect(closestOptions("CELERY.wokrer_concurrency")[0]).toBe("celery.worker_concurrency");
  });

  test("GIVEN any name WHEN suggestions are asked twice THEN the answer is the same, at most `limit` long, closest first", () => {
    const first = closestOptions("api.port", 5);
    expect(closestOptions("api.port", 5)).toEqual(first);
    expect(first.length).toBeLessThanOrEqual(5);
    expect(first[0]).toBe("api.port");
    expect(closestOptions("core.parallelism", 1)).toEqual(["core.parallelism"]);
  });

  test("GIVEN a name like no option WHEN suggestions are asked THEN there are none", () => {
    expect(closestOptions("zzzzzzzz.qqqqqqqqqqqq")).toEqual([]);
  });

  test("GIVEN strings WHEN their edit distance is computed THEN transpositions count once", () => {
    expect(editDistance("parallelism", "paralelism")).toBe(1);
    expect(editDistance("wokrer", "worker")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
  });
});

describe("the committed catalogue file", () => {
  test("GIVEN catalogue.json WHEN re-serialized by the generator THEN it is unchanged (sorted keys, 2-space indent, trailing newline)", () => {
    const text = fs.readFileSync(CATALOGUE_FILE, "utf8");
    expect(serializeCatalogue(JSON.parse(text))).toBe(text);
  });

  test("GIVEN catalogue.json WHEN its options are read THEN they carry only names, types, defaults, flags and versions (no upstream prose)", () => {
    const allowed = new Set(["type", "default", "sensitive", "provider", "deprecated", "versionAdded", "versionDeprecated"]);
    for (const options of Object.values(AIRFLOW_OPTION_CATALOGUE.options)) {
      for (const spec of Object.values(options)) expect(Object.keys(spec).filter((k) => !allowed.has(k))).toEqual([]);
    }
  });

  test("GIVEN catalogue.json WHEN its sources are read THEN every file names its repository, path and 40-hex commit, and a note is given", () => {
    const { source } = AIRFLOW_OPTION_CATALOGUE;
    expect(source.generatedFrom[0]).toMatchObject({ package: "apache-airflow-core", path: "airflow-core/src/airflow/config_templates/config.yml" });
    for (const file of [...source.generatedFrom, ...source.providersWithoutConfig]) {
      expect(file).toMatchObject({ repository: "apache/airflow", commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
    }
    expect(source.generatedFrom.map((f) => f.package)).toEqual(
      expect.arrayContaining(["apache-airflow-providers-celery", "apache-airflow-providers-amazon", "apache-airflow-providers-fab"]),
    );
    expect(source.note.length).toBeGreaterThan(0);
  });

  (fs.existsSync(COMPILED) ? test : test.skip)("GIVEN the compiled module in dist/ WHEN node loads it THEN the JSON next to it is found", () => {
    const script = `const c = require(${JSON.stringify(COMPILED)}); process.stdout.write(JSON.stringify(c.findOption("core", "parallelism")));`;
    const result = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ type: "integer", default: "32" });
  });
});
