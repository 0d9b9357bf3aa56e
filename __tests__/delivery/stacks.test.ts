import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ENVIRONMENTS_DIR } from "../../config/load";
import { AIRFLOW_VERSION, PYTHON_VERSION } from "../../runtime/airflow-image";
import { describeEnvironment } from "../../scripts/lib/environments";
import { DependencyCycleError, topologicalOrder, transitiveDependencies } from "../../scripts/lib/graph";
import { main } from "../../scripts/stacks";
import { repoEnvironments, sharedApp } from "../support/synth";
import { toolError, toolOutput } from "../support/cli";

/** Runs the stacks tool's entry point and returns what it printed. */
const run = (...argv: string[]) => toolOutput(main, argv);
const runError = (...argv: string[]) => toolError(main, argv);

const temporaryDirs: string[] = [];
afterAll(() => temporaryDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** An environment directory holding copies of the repository's files, `edit` applied to each parsed file. */
function environmentsDir(names: readonly string[], edit: (raw: any) => void = () => undefined): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "airflow-delivery-envs-"));
  temporaryDirs.push(dir);
  for (const name of names) {
    const raw = JSON.parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, `${name}.json`), "utf8"));
    edit(raw);
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(raw));
  }
  return dir;
}

describe("topologicalOrder", () => {
  it("puts every node after all of its dependencies, deterministically", () => {
    // GIVEN a diamond with an extra chain
    const graph = { services: ["compute", "iam", "network"], compute: ["iam", "network"], iam: ["storage"], storage: ["network"], network: [] };
    // WHEN it is sorted
    const order = topologicalOrder(graph);
    // THEN each node follows its dependencies, and the result does not depend on key order
    expect(order).toEqual(["network", "storage", "iam", "compute", "services"]);
    expect(topologicalOrder(Object.fromEntries(Object.entries(graph).reverse()))).toEqual(order);
  });

  it("names the cycle when the graph has one", () => {
    // GIVEN a -> c -> b -> a
    const graph = { a: ["c"], b: ["a"], c: ["b"], d: [] };
    // WHEN sorted THEN the error names the cycle in dependency order
    expect(() => topologicalOrder(graph)).toThrow(DependencyCycleError);
    expect(() => topologicalOrder(graph)).toThrow(new Error("dependency cycle: a -> c -> b -> a"));
  });

  it("names a self-dependency as a cycle", () => {
    expect(() => topologicalOrder({ a: ["a"] })).toThrow(new Error("dependency cycle: a -> a"));
  });

  it("rejects a dependency that is not a node of the graph", () => {
    expect(() => topologicalOrder({ a: ["ghost"], b: [] })).toThrow(new Error('"a" depends on "ghost", which is not in the graph (a, b)'));
  });

  it("finds transitive dependencies", () => {
    expect([...transitiveDependencies({ c: ["b"], b: ["a"], a: [], d: ["c"] }, "d")].sort()).toEqual(["a", "b", "c"]);
  });
});

describe("npm run stacks", () => {
  // The reference: the whole app synthesized as `cdktf synth` would, with cdktf's own manifest of dependencies.
  const app = sharedApp();
  const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, "manifest.json"), "utf8")) as { stacks: Record<string, { dependencies: string[] }> };
  const environments = repoEnvironments().map((c) => c.name);

  it("covers every environment of config/environments", () => {
    expect(JSON.parse(run("--list", "--json"))).toEqual([...environments].sort());
    expect(environments.length).toBeGreaterThan(0);
  });

  describe.each(environments)("environment %s", (env) => {
    const description = describeEnvironment(env);
    const expected = app.stacks.filter((s) => s.environment === env).map((s) => s.id);

    it("lists every stack of the environment exactly once, and no bootstrap stack", () => {
      // GIVEN the stacks the synthesized manifest holds for the environment
      // WHEN the tool orders them THEN it lists exactly those
      expect([...description.stacks].sort()).toEqual([...expected].sort());
      expect(description.stacks.some((s) => s.startsWith("bootstrap-"))).toBe(false);
      expect(manifest.stacks[description.bootstrap]).toBeDefined();
    });

    it("puts every stack after each stack it depends on in the synthesized manifest", () => {
      for (const id of description.stacks) {
        for (const dependency of manifest.stacks[id].dependencies) {
          expect({ stack: id, dependency, before: description.stacks.indexOf(dependency) < description.stacks.indexOf(id) }).toEqual({
            stack: id,
            dependency,
            before: true,
          });
        }
      }
    });

    it("migrates before the stack that rolls the new image: after every stack it reads, the compute stack (migrate task) among them", () => {
      // GIVEN the migrate task definition lives in the compute stack and the services run the image
      // THEN migrateBefore is the services stack and everything it reads is applied before the migration
      expect(description.migrateBefore).toBe(`${env}-services`);
      expect(description.upstream[description.migrateBefore]).toContain(`${env}-compute`);
      for (const upstream of description.upstream[description.migrateBefore]) {
        expect(description.stacks.indexOf(upstream)).toBeLessThan(description.stacks.indexOf(description.migrateBefore));
      }
    });

    it("reports the manifest's dependencies as the upstream map", () => {
      const fromManifest = Object.fromEntries(description.stacks.map((id) => [id, [...manifest.stacks[id].dependencies].sort()]));
      expect(description.upstream).toEqual(fromManifest);
    });

    it("prints the apply order one stack per line, and the destroy order (--reverse) as its exact reverse", () => {
      expect(run("--env", env)).toBe(description.stacks.map((s) => `${s}\n`).join(""));
      expect(run("--env", env, "--reverse")).toBe(
        [...description.stacks]
          .reverse()
          .map((s) => `${s}\n`)
          .join(""),
      );
    });
  });

  it("describes an environment for CI: roles, ECR repository, state bucket, bootstrap stack, image versions", () => {
    // GIVEN dev (account 111111111111, eu-west-1, CI for example-org/airflow-ecs)
    // WHEN described as JSON
    const dev = JSON.parse(run("--env", "dev", "--json"));
    // THEN every field CI reads is there
    expect(dev).toMatchObject({
      environment: "dev",
      order: "apply",
      accountId: "111111111111",
      region: "eu-west-1",
      bootstrap: "bootstrap-airflow-tfstate-111111111111",
      ciRoles: { plan: "arn:aws:iam::111111111111:role/airflow-dev-ci-plan", apply: "arn:aws:iam::111111111111:role/airflow-dev-ci-apply" },
      githubRepository: "example-org/airflow-ecs",
      ecrRepository: "111111111111.dkr.ecr.eu-west-1.amazonaws.com/airflow-dev-airflow",
      ecrRegistry: "111111111111.dkr.ecr.eu-west-1.amazonaws.com",
      stateBucket: "airflow-tfstate-111111111111",
      stateRegion: "eu-west-1",
      image: { airflowVersion: AIRFLOW_VERSION, pythonVersion: PYTHON_VERSION },
    });
    expect(dev.stacks[0]).toBe("dev-network");
  });

  it("describes DAG delivery: each bundle's source, the repositories allowed to deliver and their role", () => {
    // GIVEN prod (git, s3 and efs bundles; two DAG repositories) and uat (one git bundle, no deploy repositories)
    const prod = JSON.parse(run("--env", "prod", "--json"));
    const uat = JSON.parse(run("--env", "uat", "--json"));
    // THEN the workflow for DAG repositories finds what to deliver and with which role
    expect(prod.dagDelivery).toEqual({
      role: "arn:aws:iam::333333333333:role/airflow-prod-ci-dags",
      repositories: ["example-org/airflow-dags", "example-org/analytics-dags"],
      bundles: [
        { name: "platform", source: "git" },
        { name: "analytics", source: "s3" },
        { name: "team", source: "efs" },
      ],
    });
    expect(uat.dagDelivery).toEqual({ role: null, repositories: [], bundles: [{ name: "dags", source: "git" }] });
  });

  it("reports no CI roles for an environment without ci.githubRepository", () => {
    // GIVEN dev without a GitHub repository
    const dir = environmentsDir(["dev"], (raw) => {
      raw.ci = {};
    });
    // WHEN described THEN ciRoles is null (the workflows skip it with a notice)
    expect(JSON.parse(run("--env", "dev", "--json", "--config-dir", dir))).toMatchObject({ ciRoles: null, githubRepository: null });
  });

  it("uses the China partition and registry domain in cn- regions", () => {
    const dir = environmentsDir(["dev"], (raw) => {
      raw.account.region = "cn-north-1";
      delete raw.network.availabilityZones;
    });
    const dev = JSON.parse(run("--env", "dev", "--json", "--config-dir", dir));
    expect([dev.ciRoles.plan, dev.ecrRepository]).toEqual([
      "arn:aws-cn:iam::111111111111:role/airflow-dev-ci-plan",
      "111111111111.dkr.ecr.cn-north-1.amazonaws.com.cn/airflow-dev-airflow",
    ]);
  });

  it("rejects an unknown environment, listing the available ones", () => {
    const error = runError("--env", "staging");
    expect({ message: error.message, exitCode: error.exitCode }).toEqual({
      message: 'unknown environment "staging"; available environments: dev, prod, test, uat',
      exitCode: 1,
    });
  });

  it("lists environments, or only those asked for (CI labels), rejecting unknown names", () => {
    expect(run("--list")).toBe("dev\nprod\ntest\nuat\n");
    expect(JSON.parse(run("--list", "--json", "--only", "prod, dev"))).toEqual(["dev", "prod"]);
    expect(JSON.parse(run("--list", "--json", "--only", ""))).toEqual(["dev", "prod", "test", "uat"]);
    expect(runError("--list", "--only", "dev,qa,perf").message).toBe('unknown environments "qa", "perf"; available environments: dev, prod, test, uat');
  });

  it("explains usage errors", () => {
    expect(runError().message).toMatch(/^--env <environment> or --list is required\n\nusage: npm run stacks -- --env <environment>/);
    expect(runError().exitCode).toBe(2);
    expect(runError("--list", "--env", "dev").message).toMatch(/^--list cannot be combined with --env or --reverse\n/);
    expect(runError("--env", "dev", "--only", "dev").message).toMatch(/^--only is only valid with --list\n/);
    expect(runError("--env", "dev", "extra").message).toMatch(/^unexpected argument "extra"\n/);
    expect(runError("--frobnicate").message).toMatch(/^Unknown option '--frobnicate'/);
  });
});
