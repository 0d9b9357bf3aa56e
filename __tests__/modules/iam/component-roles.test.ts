import { TerraformOutput, Testing } from "cdktf";
import type { AuthConfig, DagBundleConfig, GitDagBundleConfig, WorkerPoolConfig } from "../../../config/schema";
import { ArnBuilder } from "../../../modules/core/arn";
import { Naming } from "../../../modules/core/naming";
import { TASK_ROLE_COMPONENTS, type AirflowDataAccess } from "../../../modules/iam/component-permissions";
import { ComponentRoles } from "../../../modules/iam/component-roles";

const naming = new Naming("airflow", "dev", "111111111111");
const arns = new ArnBuilder({ account: { id: "111111111111", region: "eu-west-1" } });
const secret = (name: string) => `arn:aws:secretsmanager:eu-west-1:111111111111:secret:airflow/dev/${name}`;
const data: AirflowDataAccess = {
  dataKeyArn: "arn:aws:kms:eu-west-1:111111111111:key/data",
  secretArns: {
    database: secret("rds"),
    brokerAuthToken: secret("redis-auth-token"),
    fernetKey: secret("fernet-key"),
    apiSecretKey: secret("api-secret-key"),
    jwtSecret: secret("jwt-secret"),
    adminPassword: secret("admin-password"),
    flowerBasicAuth: secret("flower-basic-auth"),
  },
  dagFileSystem: { arn: "arn:efs", dagsAccessPointArn: "arn:ap/dags", pluginsAccessPointArn: "arn:ap/plugins" },
  taskLogsBucketArn: "arn:aws:s3:::task-logs",
  dagBucketArn: "arn:aws:s3:::dags",
};

function synth(bundles: readonly DagBundleConfig[] = [], extra: { auth?: AuthConfig; workerPools?: readonly WorkerPoolConfig[] } = {}) {
  let roles: ComponentRoles | undefined;
  const json = JSON.parse(
    Testing.synthScope((scope) => {
      roles = new ComponentRoles(scope, "roles", { naming, arns, data, bundles, taskFailureNotifications: true, ...extra });
      new TerraformOutput(scope, "container_instance_profile", { value: roles.containerInstance.instanceProfileArn });
    }),
  );
  const byName = Object.fromEntries(Object.values(json.resource.aws_iam_role as Record<string, any>).map((r) => [r.name, r]));
  const policies = Object.fromEntries(
    Object.values(json.resource.aws_iam_role_policy as Record<string, any>).map((p) => [p.name, JSON.parse(p.policy).Statement as any[]]),
  );
  return { json, roles: roles!, byName, policies };
}

describe("ComponentRoles", () => {
  it("creates the execution role, one task role per component, the host roles and the Lambda roles, named by the environment", () => {
    // GIVEN the environment's names WHEN the roles are created THEN each has its own name
    const { byName } = synth();
    expect(Object.keys(byName).sort()).toEqual(
      [
        "airflow-dev-task-execution",
        ...TASK_ROLE_COMPONENTS.map((c) => `airflow-dev-${c.replace(/_/g, "-")}-task`),
        "airflow-dev-container-instance",
        "airflow-dev-bastion",
        "airflow-dev-queue-depth-publisher",
        "airflow-dev-service-redeployer",
        "airflow-dev-db-clean-scheduler",
      ].sort(),
    );
  });

  it("lets ECS tasks, EC2 and Lambda assume only their own roles", () => {
    const { byName } = synth();
    const principal = (name: string) => JSON.parse(byName[name].assume_role_policy).Statement[0].Principal.Service;
    expect(principal("airflow-dev-task-execution")).toEqual(["ecs-tasks.amazonaws.com"]);
    expect(principal("airflow-dev-scheduler-task")).toEqual(["ecs-tasks.amazonaws.com"]);
    expect(principal("airflow-dev-bastion")).toEqual(["ec2.amazonaws.com"]);
    expect(principal("airflow-dev-queue-depth-publisher")).toEqual(["lambda.amazonaws.com"]);
    expect(principal("airflow-dev-db-clean-scheduler")).toEqual(["scheduler.amazonaws.com"]);
    // the scheduler's trust, like every service trust, is limited to this account
    expect(JSON.parse(byName["airflow-dev-db-clean-scheduler"].assume_role_policy).Statement[0].Condition).toEqual({
      StringEquals: { "aws:SourceAccount": ["111111111111"] },
    });
  });

  it("gives components that need no AWS API a role without a policy, and instance profiles to the host roles only", () => {
    // GIVEN the roles WHEN synthesized THEN Flower, cAdvisor and db-clean have no inline policy
    const { json, policies } = synth();
    for (const component of ["flower", "cadvisor", "db-clean"]) expect(policies[`airflow-dev-${component}-task`]).toBeUndefined();
    expect(
      Object.values(json.resource.aws_iam_instance_profile as Record<string, any>)
        .map((p) => p.name)
        .sort(),
    ).toEqual(["airflow-dev-bastion", "airflow-dev-container-instance"]);
  });

  it("injects exactly the shared secrets and the Git bundles' credentials through the execution role", () => {
    // GIVEN a Git bundle with credentials
    const bundle: GitDagBundleConfig = {
      name: "analytics",
      source: "git",
      repository: "https://github.com/o/r.git",
      ref: "main",
      credentialsSecretArn: secret("git"),
      refreshIntervalSeconds: 60,
      maxRefreshSeconds: 120,
    };
    // WHEN the roles are created THEN the execution role reads the seven shared secrets and the bundle's, in that order
    const inject = synth([bundle]).policies["airflow-dev-task-execution"].find((s: { Sid: string }) => s.Sid === "InjectTaskSecrets");
    expect(inject.Resource).toEqual([...Object.values(data.secretArns), secret("git")]);
  });

  it("lets the execution role read the OIDC client secret it injects into the api-server", () => {
    // GIVEN OIDC sign-in WHEN the roles are created THEN the client secret follows the shared secrets
    const auth: AuthConfig = {
      kind: "oidc",
      issuerUrl: "https://login.example.com",
      clientId: "airflow",
      clientSecretArn: secret("oidc-client-secret-AbC123"),
      scopes: ["openid"],
      roleClaim: "groups",
      roleMapping: { admins: ["Admin"] },
      defaultRole: "Public",
      providerName: "oidc",
    };
    const inject = synth([], { auth }).policies["airflow-dev-task-execution"].find((s: { Sid: string }) => s.Sid === "InjectTaskSecrets");
    expect(inject.Resource).toEqual([...Object.values(data.secretArns), secret("oidc-client-secret-AbC123")]);
  });

  it("gives each pool declaring a task role its own role: the worker's statements plus its grants and policies", () => {
    // GIVEN a pool without a declaration and one with a read prefix and a customer managed policy
    const pool = (name: string) => ({ name, queues: [name], concurrency: 2, cpu: 1024, memory: 2048, minCount: 0, maxCount: 2, capacity: "ec2" as const });
    const taskRole = {
      s3Prefixes: [],
      s3ReadPrefixes: ["s3://team-data/raw/"],
      secretsPrefixes: [],
      kmsKeyArns: [],
      managedPolicyArns: ["arn:aws:iam::111111111111:policy/ml-read"],
    };
    const { json, roles, byName, policies } = synth([], { workerPools: [pool("default"), { ...pool("heavy"), taskRole }] });
    // THEN only the declaring pool has a role, trusted by ECS tasks like the worker role
    expect(Object.keys(roles.workerPoolTaskRoles)).toEqual(["heavy"]);
    expect(
      Object.keys(byName)
        .filter((name) => name.includes("worker"))
        .sort(),
    ).toEqual(["airflow-dev-worker-heavy-task", "airflow-dev-worker-task"]);
    expect(byName["airflow-dev-worker-heavy-task"].assume_role_policy).toBe(byName["airflow-dev-worker-task"].assume_role_policy);
    // AND its policy is the worker's, statement for statement, followed by the pool's
    const worker = policies["airflow-dev-worker-task"];
    expect(policies["airflow-dev-worker-heavy-task"].slice(0, worker.length)).toEqual(worker);
    expect(policies["airflow-dev-worker-heavy-task"].slice(worker.length).map((s: { Sid: string }) => s.Sid)).toEqual(["PoolListBucket1", "PoolReadObjects"]);
    // AND the managed policy is attached to that role only
    expect(Object.values(json.resource.aws_iam_role_policy_attachment as Record<string, any>)).toEqual([
      { role: expect.stringMatching(/^\$\{aws_iam_role\.roles_worker-heavy-task_role_\w+\.name\}$/), policy_arn: "arn:aws:iam::111111111111:policy/ml-read" },
    ]);
  });

  it("exposes each role, and the instance profiles of the host roles", () => {
    // GIVEN the construct THEN consumers reach a task role by component and a profile without reaching into the role
    const { json, roles } = synth();
    expect(roles.taskRole("dag_sync")).toBe(roles.taskRoles.dag_sync);
    expect(json.output.container_instance_profile.value).toMatch(/^\$\{aws_iam_instance_profile\.roles_container-instance_profile_\w+\.arn\}$/);
    // WHEN a role without a profile is asked for one THEN the error names the role's construct
    expect(() => roles.publisher.instanceProfileArn).toThrow(/roles\/queue-depth-publisher: this role has no instance profile/);
  });
});
