import { DAG_RELEASE_VERSION_PATTERN } from "../../../runtime/dag-delivery";
import { USAGE } from "../../../scripts/deploy-dags";
import { awsCalls, failure, resetMocks, run } from "./harness";

afterEach(resetMocks);

describe("deploy-dags arguments", () => {
  it("requires --env", async () => {
    // GIVEN no arguments WHEN run THEN a usage error (exit 2) with the usage text, and no AWS call
    const error = await failure([]);
    expect([error.exitCode, error.message]).toEqual([2, `--env <env> is required\n\n${USAGE}`]);
    expect(awsCalls()).toBe(0);
  });

  it("lists the available environments for an unknown one", async () => {
    const error = await failure(["--env", "qa", "--from", "x"]);
    expect([error.exitCode, error.message]).toEqual([2, `unknown environment "qa"; available environments: dev, prod, test, uat\n\n${USAGE}`]);
  });

  it("refuses unknown options and positional arguments as usage errors", async () => {
    expect((await failure(["--env", "dev", "--frm", "x"])).exitCode).toBe(2);
    const error = await failure(["--env", "dev", "dags"]);
    expect([error.exitCode, error.message]).toEqual([2, `unexpected argument "dags"\n\n${USAGE}`]);
  });

  it("names the environment's bundles and their sources for an unknown bundle", async () => {
    const error = await failure(["--env", "prod", "--bundle", "nope", "--from", "x"]);
    expect([error.exitCode, error.message]).toEqual([
      2,
      `environment "prod" has no DAG bundle "nope"; its bundles: platform (git), analytics (s3), team (efs)\n\n${USAGE}`,
    ]);
  });

  it("requires --bundle when the environment has several bundles", async () => {
    // GIVEN prod (git "platform", s3 "analytics", efs "team") WHEN no bundle is named THEN it asks for one
    const error = await failure(["--env", "prod", "--from", "x"]);
    expect([error.exitCode, error.message]).toEqual([
      2,
      `environment "prod" has several DAG bundles; choose one with --bundle: platform (git), analytics (s3), team (efs)\n\n${USAGE}`,
    ]);
  });

  it("has nothing to deploy for a git bundle, and makes no AWS call", async () => {
    // GIVEN uat (one git bundle) and prod's git bundle named explicitly
    const uat = await run(["--env", "uat"]);
    const prod = await run(["--env", "prod", "--bundle", "platform", "--from", "/nowhere"]);
    // THEN both exit 0 saying what the bundle follows, without creating a client
    expect(uat).toEqual({
      code: 0,
      stdout:
        'bundle "dags" of uat is a git bundle: nothing to deploy. Airflow follows main of https://github.com/example-org/airflow-dags.git (folder dags); pushing to it delivers.\n',
      regions: [],
      sleeps: [],
    });
    expect(prod.stdout).toBe(
      'bundle "platform" of prod is a git bundle: nothing to deploy. Airflow follows v2.3.0 of git@github.com:example-org/airflow-platform-dags.git (folder dags); pushing to it delivers.\n',
    );
    expect([prod.code, prod.regions, awsCalls()]).toEqual([0, [], 0]);
  });

  it("refuses --version for an S3 bundle, which Airflow does not version", async () => {
    const error = await failure(["--env", "test", "--from", "x", "--version", "v1"]);
    expect([error.exitCode, error.message]).toEqual([
      2,
      `--version does not apply to S3 bundle "dags": Airflow's S3DagBundle is not versioned (it syncs whatever the prefix holds), so there is no release to select; deliver a folder with --from <dir>\n\n${USAGE}`,
    ]);
  });

  it("requires --from for an S3 bundle", async () => {
    const error = await failure(["--env", "test"]);
    expect([error.exitCode, error.message]).toEqual([2, `S3 bundle "dags" needs --from <dir>: the folder to mirror to its prefix\n\n${USAGE}`]);
  });

  it("requires --from or --version for an EFS bundle", async () => {
    const error = await failure(["--env", "dev"]);
    expect([error.exitCode, error.message]).toEqual([
      2,
      `EFS bundle "dags" needs --from <dir> to deploy a folder, or --version <version> to switch back to a release uploaded before\n\n${USAGE}`,
    ]);
  });

  it.each(["-starts-with-dash", "_underscore", "has/slash", "x".repeat(65), ""])("refuses the version %j, naming the pattern", async (version) => {
    const error = await failure(["--env", "dev", `--version=${version}`]);
    expect([error.exitCode, error.message]).toEqual([
      2,
      `--version "${version}" is not a valid release version; expected ${DAG_RELEASE_VERSION_PATTERN} (letters, digits, ".", "_" and "-", at most 64 characters, starting with a letter or digit)\n\n${USAGE}`,
    ]);
  });

  it.each(["0", "121", "1.5", "ten"])("refuses --timeout-minutes %s", async (minutes) => {
    const error = await failure(["--env", "dev", "--version", "v1", "--timeout-minutes", minutes]);
    expect([error.exitCode, error.message]).toEqual([2, `--timeout-minutes is "${minutes}"; expected a whole number of minutes from 1 to 120\n\n${USAGE}`]);
    expect(awsCalls()).toBe(0);
  });
});
