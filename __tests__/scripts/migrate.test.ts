import * as fs from "fs";
import * as path from "path";
import { migrate, MigrateError, parseArgs } from "../../scripts/migrate";
import { temporaryDirectory } from "../support/temp";

/** A synthesized, initialized compute stack directory for the script to read. */
function outdir(): string {
  const dir = temporaryDirectory("migrate-");
  fs.mkdirSync(path.join(dir, "stacks", "dev-compute", ".terraform"), { recursive: true });
  fs.writeFileSync(path.join(dir, "stacks", "dev-compute", "cdk.tf.json"), "{}");
  return dir;
}

const OUTPUTS = {
  cluster_name: { value: "airflow-dev-cluster" },
  migrate_task_definition_arn: { value: "arn:aws:ecs:eu-west-1:111111111111:task-definition/airflow-dev-migrate:7" },
  migrate_subnet_ids: { value: ["subnet-a", "subnet-b"] },
  migrate_security_group_id: { value: "sg-1" },
};

/** Fakes terraform and the AWS CLI: records each call and answers from a script of responses. */
function fakeExec(describeStatuses: object[]) {
  const calls: string[] = [];
  const exec = (command: string, args: readonly string[]) => {
    calls.push([command, ...args].join(" "));
    if (command === "terraform") return JSON.stringify(OUTPUTS);
    if (args[1] === "run-task") return JSON.stringify({ tasks: [{ taskArn: "arn:task/1" }], failures: [] });
    return JSON.stringify({ tasks: [describeStatuses.shift()] });
  };
  return { exec, calls };
}

describe("npm run migrate", () => {
  it("runs the compute stack's migration task in its subnets and security group and succeeds when it exits 0", () => {
    // GIVEN a task that runs, then stops with exit code 0
    const { exec, calls } = fakeExec([
      { lastStatus: "RUNNING", containers: [] },
      { lastStatus: "STOPPED", containers: [{ name: "migrate", exitCode: 0 }] },
    ]);
    const log: string[] = [];
    // WHEN the script runs
    migrate(
      { env: "dev", timeoutMinutes: 5, outdir: outdir() },
      exec,
      (l) => void log.push(l),
      () => undefined,
    );
    // THEN it started exactly that task definition with private networking and waited for it
    expect(calls[1]).toBe(
      "aws ecs run-task --cluster airflow-dev-cluster --task-definition arn:aws:ecs:eu-west-1:111111111111:task-definition/airflow-dev-migrate:7 --launch-type FARGATE " +
        "--network-configuration awsvpcConfiguration={subnets=[subnet-a,subnet-b],securityGroups=[sg-1],assignPublicIp=DISABLED} --started-by npm-run-migrate --count 1 --output json",
    );
    expect(calls.filter((c) => c.includes("describe-tasks"))).toHaveLength(2);
    expect(log.at(-1)).toBe("migration succeeded (arn:task/1)");
  });

  it("fails with the exit code and reason when the migration fails, so services are not rolled", () => {
    const { exec } = fakeExec([{ lastStatus: "STOPPED", stoppedReason: "Essential container in task exited", containers: [{ name: "migrate", exitCode: 1 }] }]);
    expect(() =>
      migrate(
        { env: "dev", timeoutMinutes: 5, outdir: outdir() },
        exec,
        () => undefined,
        () => undefined,
      ),
    ).toThrow(
      new MigrateError(
        "the migration failed: container exit code 1, task stopped: Essential container in task exited; logs: aws logs tail /<prefix>/dev/migrate --since 1h",
      ),
    );
  });

  it("tells the operator to synthesize when the stack is missing, and requires --env", () => {
    expect(() => migrate({ env: "qa", timeoutMinutes: 5, outdir: outdir() }, fakeExec([]).exec)).toThrow(
      /has no synthesized stack; run "AIRFLOW_ENVIRONMENTS=qa npm run synth" first$/,
    );
    expect(() => parseArgs([])).toThrow("--env is required; usage: npm run migrate -- --env <env> [--timeout-minutes N]");
    expect(() => parseArgs(["--env", "dev", "--timeout-minutes", "0"])).toThrow('--timeout-minutes is "0"; expected 1-240');
  });
});
