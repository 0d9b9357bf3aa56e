import type { DagBundleConfig } from "../../../config/schema";
import { COMPONENT_NEEDS } from "../../../modules/airflow/airflow-settings";
import { COMPONENTS } from "../../../runtime/airflow-image";
import { dagBundleConfigList, gitConnections, IMAGE_DAG_BUNDLE } from "../../../modules/dags/dag-bundles";
import { repoEnvironment, stackJson } from "../../support/synth";

/** `[dag_processor] dag_bundle_config_list`, rendered once from the `dags` config: exact JSON per source and per environment. */

const BUCKET = "airflow-dev-dags-111111111111";
const IMAGE = { name: "airflow-ecs-image", classpath: "airflow.dag_processing.bundles.local.LocalDagBundle", kwargs: { path: "/opt/airflow/image-dags" } };
const render = (bundles: DagBundleConfig[]) => JSON.parse(dagBundleConfigList(bundles, BUCKET));

describe("the DAG bundle list", () => {
  it("points an EFS bundle at its current release on the DAG file system", () => {
    expect(render([{ name: "team", source: "efs", refreshIntervalSeconds: 60, maxRefreshSeconds: 0 }])).toEqual([
      {
        name: "team",
        classpath: "airflow.dag_processing.bundles.local.LocalDagBundle",
        kwargs: { path: "/opt/airflow/dags/team/current", refresh_interval: 60 },
      },
      IMAGE,
    ]);
  });

  it("gives a Git bundle its URL, ref, folder and connection id, never a credential", () => {
    const bundle: DagBundleConfig = {
      name: "platform-dags",
      source: "git",
      repository: "git@github.com:o/platform.git",
      ref: "v2.3.0",
      subdir: "dags",
      credentialsSecretArn: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:k-AbC123",
      refreshIntervalSeconds: 300,
      maxRefreshSeconds: 120,
    };
    const text = dagBundleConfigList([bundle], BUCKET);
    expect(JSON.parse(text)).toEqual([
      {
        name: "platform-dags",
        classpath: "airflow.providers.git.bundles.git.GitDagBundle",
        kwargs: {
          repo_url: "git@github.com:o/platform.git",
          tracking_ref: "v2.3.0",
          subdir: "dags",
          git_conn_id: "dag_bundle_platform_dags",
          refresh_interval: 300,
        },
      },
      IMAGE,
    ]);
    // Airflow shows bundle kwargs through its config API: not even the secret's ARN is in them.
    expect(text).not.toContain("secretsmanager");
  });

  it("syncs an S3 bundle from its folder under dags/ of the DAG bucket with the task role's credentials", () => {
    expect(render([{ name: "analytics", source: "s3", prefix: "analytics/prod", refreshIntervalSeconds: 120, maxRefreshSeconds: 120 }])).toEqual([
      {
        name: "analytics",
        classpath: "airflow.providers.amazon.aws.bundles.s3.S3DagBundle",
        kwargs: { bucket_name: BUCKET, prefix: "dags/analytics/prod", aws_conn_id: "aws_default", refresh_interval: 120 },
      },
      IMAGE,
    ]);
  });

  it("lists mixed bundles in config order, the image's platform DAGs last", () => {
    const names = render([
      { name: "platform", source: "git", repository: "https://github.com/o/p.git", ref: "main", refreshIntervalSeconds: 300, maxRefreshSeconds: 120 },
      { name: "team", source: "s3", prefix: "team", refreshIntervalSeconds: 300, maxRefreshSeconds: 120 },
      { name: "legacy", source: "efs", refreshIntervalSeconds: 60, maxRefreshSeconds: 0 },
    ]).map((b: { name: string }) => b.name);
    expect(names).toEqual(["platform", "team", "legacy", "airflow-ecs-image"]);
    expect(IMAGE_DAG_BUNDLE).toEqual(IMAGE);
  });

  it("gives private repositories their secret and public ones an anonymous connection", () => {
    const connections = gitConnections([
      {
        name: "private-repo",
        source: "git",
        repository: "https://github.com/o/a.git",
        ref: "main",
        credentialsSecretArn: "arn:secret",
        refreshIntervalSeconds: 300,
        maxRefreshSeconds: 120,
      },
      { name: "public", source: "git", repository: "https://github.com/o/b.git", ref: "main", refreshIntervalSeconds: 300, maxRefreshSeconds: 120 },
      { name: "team", source: "efs", refreshIntervalSeconds: 60, maxRefreshSeconds: 0 },
    ]);
    expect(connections).toEqual({
      secrets: { AIRFLOW_CONN_DAG_BUNDLE_PRIVATE_REPO: "arn:secret" },
      environment: { AIRFLOW_CONN_DAG_BUNDLE_PUBLIC: '{"conn_type":"git"}' },
    });
  });
});

describe.each([
  ["dev", "efs"],
  ["test", "s3"],
  ["uat", "git"],
  ["prod", "git + s3 + efs"],
])("the synthesized %s services (%s)", (env) => {
  const bucketRef = "${data.terraform_remote_state.storage_contract.outputs.dag_bucket_name}";

  /** The bundle list and Git connections of every container of the stack, by container name. */
  function containers(): Record<string, { list?: string; secrets: string[]; environment: string[] }> {
    const out: Record<string, { list?: string; secrets: string[]; environment: string[] }> = {};
    for (const td of Object.values(stackJson(env, "services").resource!.aws_ecs_task_definition)) {
      for (const c of JSON.parse(td.container_definitions as string)) {
        const value = (name: string) => c.environment.find((e: { name: string }) => e.name === name)?.value;
        out[`${td.family}/${c.name}`] = {
          list: value("AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST"),
          secrets: c.secrets.map((s: { name: string }) => s.name).filter((n: string) => n.startsWith("AIRFLOW_CONN_DAG_BUNDLE_")),
          environment: c.environment.map((e: { name: string }) => e.name).filter((n: string) => n.startsWith("AIRFLOW_CONN_DAG_BUNDLE_")),
        };
      }
    }
    return out;
  }

  it("sets exactly the rendered list on every container that reads DAGs, with the DAG bucket from the storage contract", () => {
    const config = repoEnvironment(env);
    const expected = dagBundleConfigList(config.dags.bundles, bucketRef);
    const readers = Object.entries(containers()).filter(([, c]) => c.list !== undefined);
    expect(readers.every(([, c]) => c.list === expected)).toBe(true);
    const components = new Set(readers.map(([name]) => name.split("/")[1]).filter((n) => n !== "wait-for-migrations"));
    expect([...components].sort()).toEqual(
      COMPONENTS.filter((c) => COMPONENT_NEEDS[c].bundles !== "none")
        .map((c) => c)
        .sort(),
    );
  });

  it("injects Git credentials from their secret only into dag-processor, triggerer and workers", () => {
    const config = repoEnvironment(env);
    const withCredentials = config.dags.bundles
      .filter((b) => b.source === "git" && b.credentialsSecretArn)
      .map((b) => `AIRFLOW_CONN_DAG_BUNDLE_${b.name.toUpperCase().replace(/-/g, "_")}`);
    const carriers = Object.entries(containers()).filter(([name, c]) => c.secrets.length > 0 && !name.endsWith("/wait-for-migrations"));
    expect(carriers.map(([name]) => name.split("/")[1]).sort()).toEqual(
      withCredentials.length > 0 ? ["dag-processor", "triggerer", ...config.workerPools.map(() => "worker")].sort() : [],
    );
    for (const [, c] of carriers) expect(c.secrets).toEqual(withCredentials);
  });
});
