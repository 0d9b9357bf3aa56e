import * as fs from "fs";
import * as path from "path";
import { ConfigError, ENVIRONMENTS_DIR, loadEnvironments, parseEnvironment } from "../../config/load";
import { temporaryDirectory } from "../support/temp";

const devText = () => fs.readFileSync(path.join(ENVIRONMENTS_DIR, "dev.json"), "utf8");

function problemsOf(action: () => unknown): readonly string[] {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

/** A directory of environment files for one test. */
function environmentsDir(files: Record<string, string>): string {
  const dir = temporaryDirectory("airflow-envs-");
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe("loading environment files", () => {
  it("reports a JSON syntax error with the file, line and column", () => {
    // GIVEN a file with a trailing comma on line 3
    const text = '{\n  "name": "dev",\n  "production": false,\n}\n';
    // WHEN it is parsed THEN the message names the file and where the syntax breaks
    expect(problemsOf(() => parseEnvironment("config/environments/dev.json", text))).toEqual([
      expect.stringMatching(/^config\/environments\/dev\.json: is not valid JSON: .* at line 4, column 1$/),
    ]);
  });

  it("reports a value of the wrong type with its field", () => {
    const raw = JSON.parse(devText());
    raw.compute.maxInstances = "3";
    raw.network.interfaceEndpoints = "no";
    expect(problemsOf(() => parseEnvironment("config/environments/dev.json", JSON.stringify(raw)))).toEqual([
      'config/environments/dev.json: environment "dev": network.interfaceEndpoints = "no" is a string; expected true or false',
      'config/environments/dev.json: environment "dev": compute.maxInstances = "3" is a string; expected an integer from 1 to 100',
    ]);
  });

  it("reports an unknown field (a typo) with the fields allowed there", () => {
    const raw = JSON.parse(devText());
    raw.network.natGatewys = "single";
    expect(problemsOf(() => parseEnvironment("config/environments/dev.json", JSON.stringify(raw)))).toEqual([
      expect.stringContaining(
        'network.natGatewys = "single" is not a known field; allowed fields here: vpcCidr, azCount, availabilityZones, subnets, natGateways',
      ),
    ]);
  });

  it("reports a missing required field", () => {
    const raw = JSON.parse(devText());
    delete raw.storage.database.instanceClass;
    expect(problemsOf(() => parseEnvironment("config/environments/dev.json", JSON.stringify(raw)))).toEqual([
      expect.stringContaining("storage.database.instanceClass = (missing) is required; expected a string: an RDS instance class such as db.t4g.medium"),
    ]);
  });

  it("requires the environment name to match the file name", () => {
    expect(problemsOf(() => parseEnvironment("config/environments/staging.json", devText()))).toEqual([
      'config/environments/staging.json: environment "dev": name = "dev" differs from the file name; expected "staging"',
    ]);
  });

  it("fills documented defaults and derives the state bucket, AZs and subnet layout", () => {
    const config = parseEnvironment("config/environments/dev.json", devText());
    expect(config.state).toEqual({ bucket: "airflow-tfstate-111111111111", region: "eu-west-1" });
    expect(config.network.availabilityZones).toEqual(["eu-west-1a", "eu-west-1b"]);
    expect(config.network.subnets).toEqual({ private: ["10.10.0.0/19", "10.10.32.0/19"], public: ["10.10.224.0/22", "10.10.228.0/22"] });
    expect(config.compute.targetCapacityPercent).toBe(90);
    expect(config.storage.efs.throughputMode).toBe("elastic");
  });

  it("returns a frozen configuration", () => {
    const config = parseEnvironment("config/environments/dev.json", devText());
    expect(Object.isFrozen(config) && Object.isFrozen(config.network.subnets.private) && Object.isFrozen(config.workerPools[0])).toBe(true);
  });

  it("reports every file's problems together and names a missing environment", () => {
    const dir = environmentsDir({ "dev.json": devText(), "broken.json": "{" });
    const found = problemsOf(() => loadEnvironments(dir, ["broken", "dev", "qa"]));
    expect(found).toEqual([
      expect.stringMatching(/broken\.json: is not valid JSON/),
      expect.stringMatching(/qa\.json: no such environment file; available environments: broken, dev$/),
    ]);
  });

  it("rejects environments that share a state bucket across accounts", () => {
    const other = JSON.parse(devText());
    Object.assign(other, { name: "qa", account: { id: "999999999999", region: "eu-west-1" }, state: { bucket: "airflow-tfstate-111111111111" } });
    other.ci.createOidcProvider = false;
    const dir = environmentsDir({ "dev.json": devText(), "qa.json": JSON.stringify(other) });
    expect(problemsOf(() => loadEnvironments(dir))).toEqual([
      expect.stringContaining(
        'environment "qa": state.bucket = "airflow-tfstate-111111111111" is shared with environment "dev" but in account 999999999999/eu-west-1',
      ),
    ]);
  });

  it("rejects two environments managing the same account-wide singletons (OIDC provider, ECS trunking)", () => {
    // GIVEN a copy of dev in the same account that also creates the OIDC provider and manages trunking
    const other = JSON.parse(devText());
    other.name = "qa";
    const dir = environmentsDir({ "dev.json": devText(), "qa.json": JSON.stringify(other) });
    // THEN both singletons are reported against the second environment
    expect(problemsOf(() => loadEnvironments(dir))).toEqual([
      'environment "qa": compute.awsvpcTrunking = true but environment "dev" already manages the ECS awsvpcTrunking setting of account 111111111111; expected false (one owner per account)',
      'environment "qa": ci.createOidcProvider = true but environment "dev" already creates the GitHub OIDC provider of account 111111111111; expected false (one provider per account)',
    ]);
  });
});
