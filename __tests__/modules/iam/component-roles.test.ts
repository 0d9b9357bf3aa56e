import { TerraformOutput, Testing } from "cdktf";
import type { DagBundleConfig, GitDagBundleConfig } from "../../../config/schema";
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

function synth(bundles: readonly DagBundleConfig[] = []) {
  let roles: ComponentRoles | undefined;
  const json = JSON.parse(
    Testing.synthScope((scope) => {
      roles = new ComponentRoles(scope, "roles", { naming, arns, data, bundles, taskFailureNotifications: true });
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
    };
    // WHEN the roles are created THEN the execution role reads the seven shared secrets and the bundle's, in that order
    const inject = synth([bundle]).policies["airflow-dev-task-execution"].find((s: { Sid: string }) => s.Sid === "InjectTaskSecrets");
    expect(inject.Resource).toEqual([...Object.values(data.secretArns), secret("git")]);
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
