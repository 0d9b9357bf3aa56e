import { HEARTBEAT, QUEUE_METRICS } from "../../runtime/metrics";
import { TASK_ROLE_COMPONENTS } from "../../stacks/contracts/iam";
import { repoEnvironments, resources, snapshotText, stackJson, type StackJson } from "../support/synth";

interface Role {
  name: string;
  trust: any;
  statements: any[];
  managed: string[];
}

/** Every role of a stack with its trust policy, inline statements and managed policy ARNs. */
function roles(json: StackJson): Map<string, Role> {
  const out = new Map<string, Role>();
  const byRef = new Map<string, string>();
  for (const [id, role] of Object.entries(resources(json, "aws_iam_role"))) {
    out.set(role.name as string, { name: role.name as string, trust: JSON.parse(role.assume_role_policy as string), statements: [], managed: [] });
    byRef.set(id, role.name as string);
  }
  const owner = (ref: string) => byRef.get(/aws_iam_role\.([^.]+)\./.exec(ref)![1])!;
  for (const policy of Object.values(resources(json, "aws_iam_role_policy"))) {
    out.get(owner(policy.role as string))!.statements.push(...JSON.parse(policy.policy as string).Statement);
  }
  for (const attachment of Object.values(resources(json, "aws_iam_role_policy_attachment"))) {
    out.get(owner(attachment.role as string))!.managed.push(attachment.policy_arn as string);
  }
  return out;
}

const actions = (role: Role) => role.statements.flatMap((s) => s.Action as string[]);
const storageRef = (output: string) => `\${data.terraform_remote_state.storage_contract.outputs.${output}}`;

describe.each(repoEnvironments().map((c) => [c.name, c] as const))("IamStack (%s)", (_name, config) => {
  const json = stackJson(config.name, "iam");
  const all = roles(json);
  const role = (part: string) => all.get(`${config.namePrefix}-${config.name}-${part}`)!;

  it("matches the reviewed snapshot", () => {
    expect(snapshotText(json)).toMatchSnapshot();
  });

  it("creates one execution role and one task role per component, all trusting only ECS tasks of this account", () => {
    for (const part of ["task-execution", ...TASK_ROLE_COMPONENTS.map((c) => `${c.replace(/_/g, "-")}-task`)]) {
      expect(role(part).trust.Statement).toEqual([
        {
          Sid: "TrustedServices",
          Effect: "Allow",
          Principal: { Service: ["ecs-tasks.amazonaws.com"] },
          Action: ["sts:AssumeRole"],
          Condition: {
            StringEquals: { "aws:SourceAccount": [config.account.id] },
            ArnLike: { "aws:SourceArn": [`arn:aws:ecs:${config.account.region}:${config.account.id}:*`] },
          },
        },
      ]);
    }
  });

  it("lets the execution role pull only the environment's image, write its logs and read exactly the injected secrets", () => {
    const execution = role("task-execution");
    const statement = (sid: string) => execution.statements.find((s) => s.Sid === sid);
    expect(statement("PullAirflowImage").Resource).toEqual([
      `arn:aws:ecr:${config.account.region}:${config.account.id}:repository/${config.namePrefix}-${config.name}-airflow`,
    ]);
    expect(statement("WriteLogs").Resource).toEqual([
      `arn:aws:logs:${config.account.region}:${config.account.id}:log-group:/${config.namePrefix}/${config.name}/*:log-stream:*`,
      `arn:aws:logs:${config.account.region}:${config.account.id}:log-group:/${config.namePrefix}/${config.name}/*:*`,
    ]);
    // (plus the connections of Git DAG bundles with credentials: their own test below)
    const gitSecrets = config.dags.bundles.flatMap((b) => (b.source === "git" && b.credentialsSecretArn ? [b.credentialsSecretArn] : []));
    // (and the OIDC client secret, which only the api-server receives)
    const signInSecrets = config.airflow.auth.kind === "oidc" ? [config.airflow.auth.clientSecretArn] : [];
    expect(statement("InjectTaskSecrets").Resource.sort()).toEqual(
      [
        ...[
          "db_master_secret_arn",
          "redis_auth_token_secret_arn",
          "fernet_key_secret_arn",
          "api_secret_key_secret_arn",
          "jwt_secret_secret_arn",
          "admin_password_secret_arn",
          "flower_basic_auth_secret_arn",
        ].map(storageRef),
        ...gitSecrets,
        ...signInSecrets,
      ].sort(),
    );
    expect(statement("InjectTaskSecretsDecrypt")).toMatchObject({
      Action: ["kms:Decrypt"],
      Resource: [storageRef("data_kms_key_arn")],
      Condition: { StringEquals: { "kms:ViaService": [`secretsmanager.${config.account.region}.amazonaws.com`] } },
    });
  });

  it("gives each component only its own permissions", () => {
    expect(Object.fromEntries(TASK_ROLE_COMPONENTS.map((c) => [c, [...new Set(actions(role(`${c.replace(/_/g, "-")}-task`)))].sort()]))).toEqual({
      api_server: ["elasticfilesystem:ClientMount", "kms:Decrypt", "s3:GetObject", "s3:ListBucket", "secretsmanager:GetSecretValue"],
      scheduler: ["elasticfilesystem:ClientMount", "kms:Decrypt", "s3:GetObject", "s3:ListBucket", "secretsmanager:GetSecretValue"],
      dag_processor: [
        "elasticfilesystem:ClientMount",
        "kms:Decrypt",
        "kms:GenerateDataKey",
        "s3:GetObject",
        "s3:ListBucket",
        "s3:PutObject",
        "secretsmanager:GetSecretValue",
        "sns:Publish",
      ],
      triggerer: [
        "elasticfilesystem:ClientMount",
        "kms:Decrypt",
        "kms:GenerateDataKey",
        "s3:GetObject",
        "s3:ListBucket",
        "s3:PutObject",
        "secretsmanager:GetSecretValue",
      ],
      worker: [
        "cloudwatch:PutMetricData",
        "ecs:GetTaskProtection",
        "ecs:UpdateTaskProtection",
        "elasticfilesystem:ClientMount",
        "kms:Decrypt",
        "kms:GenerateDataKey",
        "s3:DeleteObject",
        "s3:GetObject",
        "s3:ListBucket",
        "s3:PutObject",
        "sns:Publish",
      ],
      flower: [],
      migrate: ["ssm:PutParameter"],
      cadvisor: [],
      dag_sync: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite", "kms:Decrypt", "s3:GetObject", "s3:ListBucket"],
      db_clean: [],
      metrics_collector: [
        "ec2:DescribeInstances",
        "ecs:DescribeContainerInstances",
        "ecs:DescribeServices",
        "ecs:DescribeTaskDefinition",
        "ecs:DescribeTasks",
        "ecs:ListServices",
        "ecs:ListTasks",
        "logs:CreateLogStream",
        "logs:DescribeLogStreams",
        "logs:PutLogEvents",
      ],
    });
  });

  it("scopes worker scale-in protection to the cluster's tasks and metrics to the heartbeat namespace", () => {
    const worker = role("worker-task");
    expect(worker.statements.find((s) => s.Sid === "TaskScaleInProtection").Resource).toEqual([
      `arn:aws:ecs:${config.account.region}:${config.account.id}:task/${config.namePrefix}-${config.name}-cluster/*`,
    ]);
    expect(worker.statements.find((s) => s.Sid === "PublishHeartbeat").Condition).toEqual({ StringEquals: { "cloudwatch:namespace": [HEARTBEAT.namespace] } });
  });

  it("mounts the DAG file system only through its access points", () => {
    const mount = role("api-server-task").statements.find((s) => s.Sid === "MountDagFileSystem");
    expect(mount.Condition).toEqual({
      StringEquals: { "elasticfilesystem:AccessPointArn": [storageRef("efs_dags_access_point_arn"), storageRef("efs_plugins_access_point_arn")] },
    });
  });

  it("gives container instances the ECS agent for this cluster and Session Manager, behind an instance profile", () => {
    const instance = role("container-instance");
    expect(instance.trust.Statement[0].Principal).toEqual({ Service: ["ec2.amazonaws.com"] });
    expect(instance.statements.find((s) => s.Sid === "JoinCluster").Resource).toEqual([
      `arn:aws:ecs:${config.account.region}:${config.account.id}:cluster/${config.namePrefix}-${config.name}-cluster`,
    ]);
    expect(actions(instance)).toEqual(expect.arrayContaining(["ssm:UpdateInstanceInformation", "ssmmessages:OpenDataChannel"]));
    expect(
      Object.values(resources(json, "aws_iam_instance_profile"))
        .map((p) => p.name)
        .sort(),
    ).toEqual([`${config.namePrefix}-${config.name}-bastion`, `${config.namePrefix}-${config.name}-container-instance`].sort());
  });

  it("limits the bastion to Session Manager and writing DAGs and plugins through the access points", () => {
    expect([...new Set(actions(role("bastion")).map((a) => a.split(":")[0]))].sort()).toEqual(["ec2messages", "elasticfilesystem", "ssm", "ssmmessages"]);
    expect(role("bastion").statements.find((s) => s.Sid === "MountDagFileSystem")).toMatchObject({
      Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
      Condition: {
        StringEquals: { "elasticfilesystem:AccessPointArn": [storageRef("efs_dags_access_point_arn"), storageRef("efs_plugins_access_point_arn")] },
      },
    });
  });

  it("lets the publisher Lambda read the database secret and publish queue metrics in its namespace only", () => {
    const publisher = role("queue-depth-publisher");
    expect(publisher.trust.Statement[0]).toMatchObject({
      Principal: { Service: ["lambda.amazonaws.com"] },
      Condition: { StringEquals: { "aws:SourceAccount": [config.account.id] } },
    });
    expect(publisher.statements.find((s) => s.Sid === "ReadDatabaseSecret").Resource).toEqual([storageRef("db_master_secret_arn")]);
    expect(publisher.statements.find((s) => s.Sid === "PublishQueueMetrics").Condition).toEqual({
      StringEquals: { "cloudwatch:namespace": [QUEUE_METRICS.namespace] },
    });
    expect(publisher.statements.find((s) => s.Sid === "SendToDeadLetterQueue").Resource).toEqual([
      `arn:aws:sqs:${config.account.region}:${config.account.id}:${config.namePrefix}-${config.name}-queue-depth-publisher-dlq`,
    ]);
  });

  it("lets the redeployer update only this environment's services", () => {
    expect(role("service-redeployer").statements.find((s) => s.Sid === "RedeployAirflowServices").Resource).toEqual([
      `arn:aws:ecs:${config.account.region}:${config.account.id}:service/${config.namePrefix}-${config.name}-cluster/${config.namePrefix}-${config.name}-*`,
    ]);
  });

  it("creates GitHub OIDC plan and apply roles for the configured repository", () => {
    const plan = role("ci-plan");
    const apply = role("ci-apply");
    const sub = (r: Role) => r.trust.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"];
    expect([sub(plan), sub(apply)]).toEqual([
      [`repo:${config.ci.githubRepository}:pull_request`],
      [`repo:${config.ci.githubRepository}:environment:${config.name}`],
    ]);
    expect([plan.managed, apply.managed]).toEqual([["arn:aws:iam::aws:policy/ReadOnlyAccess"], ["arn:aws:iam::aws:policy/PowerUserAccess"]]);
    expect(apply.statements.find((s) => s.Sid === "ManageOwnRoles").Resource).toEqual([
      `arn:aws:iam::${config.account.id}:role/${config.namePrefix}-${config.name}-*`,
    ]);
    expect(plan.statements.find((s) => s.Sid === "ReadWriteState")).toMatchObject({
      Action: ["s3:GetObject"],
      Resource: [`arn:aws:s3:::${config.state.bucket}/${config.name}/*`],
    });
    expect(Object.keys(resources(json, "aws_iam_openid_connect_provider")).length).toBe(config.ci.createOidcProvider ? 1 : 0);
  });
});

describe("worker pools' own task roles", () => {
  const prod = repoEnvironments().find((c) => c.name === "prod")!;
  const json = stackJson("prod", "iam");
  const all = roles(json);

  it("prod: the heavy pool's role is the worker's statements, then exactly its declared grants, plus its managed policy", () => {
    // GIVEN prod's heavy pool with S3, secret, KMS and policy grants
    const worker = all.get("airflow-prod-worker-task")!;
    const heavy = all.get("airflow-prod-worker-heavy-task")!;
    // THEN its trust is the worker's, its policy starts with the worker's statements unchanged
    expect(heavy.trust).toEqual(worker.trust);
    expect(heavy.statements.slice(0, worker.statements.length)).toEqual(worker.statements);
    // AND continues with the pool's grants, each scoped to what prod.json names
    expect(heavy.statements.slice(worker.statements.length)).toEqual([
      {
        Sid: "PoolListBucket1",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: ["arn:aws:s3:::example-ml-features"],
        Condition: { StringLike: { "s3:prefix": ["airflow/prod/*"] } },
      },
      {
        Sid: "PoolListBucket2",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: ["arn:aws:s3:::example-data-lake"],
        Condition: { StringLike: { "s3:prefix": ["curated/*"] } },
      },
      {
        Sid: "PoolReadWriteObjects",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
        Resource: ["arn:aws:s3:::example-ml-features/airflow/prod/*"],
      },
      { Sid: "PoolReadObjects", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::example-data-lake/curated/*"] },
      {
        Sid: "PoolReadSecrets",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        Resource: ["arn:aws:secretsmanager:eu-west-1:333333333333:secret:airflow/prod/teams/ml/*"],
      },
      {
        Sid: "PoolUseKeys",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: ["arn:aws:kms:eu-west-1:333333333333:key/5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"],
      },
    ]);
    expect(heavy.managed).toEqual(["arn:aws:iam::333333333333:policy/ml-feature-store-read"]);
    expect(worker.managed).toEqual([]);
  });

  it.each(repoEnvironments().map((c) => [c.name, c] as const))("%s: publishes the role of each pool that declares one, by pool name", (name, config) => {
    const stack = stackJson(name, "iam");
    const declaring = config.workerPools.filter((p) => p.taskRole).map((p) => p.name);
    const published = (stack.output as Record<string, { value: Record<string, string> }>).worker_pool_task_role_arns.value;
    expect(Object.keys(published)).toEqual(declaring);
    for (const pool of declaring) {
      const [id] = Object.entries(resources(stack, "aws_iam_role")).find(([, r]) => r.name === `${config.namePrefix}-${name}-worker-${pool}-task`)!;
      expect(published[pool]).toBe(`\${aws_iam_role.${id}.arn}`);
    }
  });

  it("prod: only the declaring pool gets a role", () => {
    expect([...all.keys()].filter((n) => n.startsWith("airflow-prod-worker-")).sort()).toEqual(["airflow-prod-worker-heavy-task", "airflow-prod-worker-task"]);
    expect(prod.workerPools.map((p) => p.name)).toEqual(["default", "heavy"]);
  });
});

describe("IAM of DAG delivery, per source", () => {
  const bucket = storageRef("dag_bucket_arn");
  const ofEnv = (env: string) => {
    const config = repoEnvironments().find((c) => c.name === env)!;
    const all = roles(stackJson(env, "iam"));
    return { config, role: (part: string) => all.get(`${config.namePrefix}-${env}-${part}`) };
  };
  const statement = (r: Role | undefined, sid: string) => r?.statements.find((s) => s.Sid === sid);
  const BUNDLE_READERS = ["dag-processor-task", "triggerer-task", "worker-task"];

  it("s3 (test): the components that fetch bundles read only their bundle prefix and list only under dags/", () => {
    // GIVEN test, whose only bundle is the S3 bundle "dags" (prefix dags/dags)
    const { role } = ofEnv("test");
    for (const part of BUNDLE_READERS) {
      // THEN each reader gets the objects of that prefix and a listing confined to dags/ (HeadBucket has no prefix)
      expect(statement(role(part), "ReadDagBundles")).toEqual({
        Sid: "ReadDagBundles",
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: [`${bucket}/dags/dags/*`],
      });
      expect(statement(role(part), "ListDagBundles")).toMatchObject({
        Action: ["s3:ListBucket"],
        Resource: [bucket],
        Condition: { StringLikeIfExists: { "s3:prefix": ["dags/*"] } },
      });
    }
    // AND the api-server and scheduler (which only list bundles) and the sync task get no bundle reads
    for (const part of ["api-server-task", "scheduler-task", "dag-sync-task"]) expect(statement(role(part), "ReadDagBundles")).toBeUndefined();
  });

  it("prod (git + s3 + efs): S3 reads cover the S3 bundle only; the Git deploy key is the only extra secret", () => {
    const { role } = ofEnv("prod");
    expect(statement(role("worker-task"), "ReadDagBundles")!.Resource).toEqual([`${bucket}/dags/analytics/*`]);
    expect(statement(role("task-execution"), "InjectTaskSecrets")!.Resource).toContain(
      "arn:aws:secretsmanager:eu-west-1:333333333333:secret:airflow/prod/platform-dags-deploy-key-AbC123",
    );
  });

  it.each(["dev", "uat"])("%s (no S3 bundle): no component may read the DAG bucket", (env) => {
    const { role } = ofEnv(env);
    for (const part of [...BUNDLE_READERS, "api-server-task", "scheduler-task"]) {
      expect(role(part)!.statements.filter((s) => JSON.stringify(s.Resource).includes("dag_bucket_arn"))).toEqual([]);
    }
  });

  it.each(["dev", "test"])("%s (no git bundle): the execution role reads no secret beyond Airflow's own", (env) => {
    const { role } = ofEnv(env);
    expect(
      statement(role("task-execution"), "InjectTaskSecrets")!.Resource.every((r: string) => r.startsWith("${data.terraform_remote_state.storage_contract")),
    ).toBe(true);
  });

  it("uat (git with a token): the execution role may read that secret, decrypting only through Secrets Manager", () => {
    const { config, role } = ofEnv("uat");
    const git = config.dags.bundles[0];
    expect(git.source === "git" && git.credentialsSecretArn).toBe("arn:aws:secretsmanager:eu-west-1:222222222222:secret:airflow/uat/dags-git-AbC123");
    expect(statement(role("task-execution"), "InjectTaskSecrets")!.Resource).toContain(git.source === "git" ? git.credentialsSecretArn : "");
  });

  it("the sync task reads only uploaded releases and writes the DAG file system only through the DAGs access point", () => {
    const { role } = ofEnv("dev");
    expect(statement(role("dag-sync-task"), "ReadDagReleases")).toEqual({
      Sid: "ReadDagReleases",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [`${bucket}/releases/*`],
    });
    expect(statement(role("dag-sync-task"), "MountDagFileSystem")).toMatchObject({
      Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
      Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": [storageRef("efs_dags_access_point_arn")] } },
    });
  });

  describe("the DAG deploy role of DAG repositories", () => {
    it("dev (efs): trusts the listed repository from its dev environment; uploads releases and runs only the sync task", () => {
      const { role } = ofEnv("dev");
      const deploy = role("ci-dags")!;
      expect(deploy.trust.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]).toEqual([
        "repo:example-org/airflow-dags:environment:dev",
      ]);
      expect(statement(deploy, "UploadEfsReleases")).toMatchObject({ Action: ["s3:PutObject", "s3:GetObject"], Resource: [`${bucket}/releases/dags/*`] });
      expect(statement(deploy, "RunDagSyncTask")).toMatchObject({
        Resource: ["arn:aws:ecs:eu-west-1:111111111111:task-definition/airflow-dev-dag-sync:*"],
        Condition: { ArnEquals: { "ecs:cluster": ["arn:aws:ecs:eu-west-1:111111111111:cluster/airflow-dev-cluster"] } },
      });
      expect(statement(deploy, "PassDagSyncRoles")!.Condition).toEqual({ StringEquals: { "iam:PassedToService": ["ecs-tasks.amazonaws.com"] } });
      expect(statement(deploy, "ReadDeliveryTarget")!.Resource).toEqual(["arn:aws:ssm:eu-west-1:111111111111:parameter/airflow/dev/dag-delivery"]);
      expect(statement(deploy, "SyncS3Bundles")).toBeUndefined();
      expect(deploy.managed).toEqual([]);
    });

    it("test (s3): synchronizes only its bundle prefix and cannot run tasks", () => {
      const deploy = ofEnv("test").role("ci-dags")!;
      expect(statement(deploy, "SyncS3Bundles")).toMatchObject({ Action: ["s3:PutObject", "s3:DeleteObject"], Resource: [`${bucket}/dags/dags/*`] });
      expect(statement(deploy, "ListS3Bundles")!.Condition).toEqual({ StringLike: { "s3:prefix": ["dags/dags/*"] } });
      expect([...new Set(deploy.statements.flatMap((s) => s.Action))].filter((a: string) => a.startsWith("ecs:") || a.startsWith("iam:"))).toEqual([]);
    });

    it("uat (git only, no deploy repositories): no deploy role", () => {
      expect(ofEnv("uat").role("ci-dags")).toBeUndefined();
    });
  });
});
