import * as fs from "fs";
import * as path from "path";
import { AWS_PROVIDER_VERSION } from "../support/toolchain";
import { sharedProvider, type SharedProvider } from "../support/provider-server";
import { initializeStacks, installProviderRequirements, providerRequirements, type StackInit } from "../support/stack-init";
import { offlineTerraform, type StackUnderTest } from "../support/terraform-cli";
import { temporaryDirectory } from "../support/temp";

/**
 * Stack initialization installs the provider once per set of requirements, yet each stack still initializes as its
 * own root: GIVEN stacks that share the mirrored requirement, one whose requirement the mirror cannot meet and one
 * whose own configuration init rejects, WHEN they are initialized, THEN each outcome is its own.
 */
const root = temporaryDirectory("airflow-stack-init-");

function stackDir(id: string, terraformBlock: Record<string, unknown>, extra: Record<string, unknown> = {}): StackUnderTest {
  const dir = path.join(root, id);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify({ terraform: terraformBlock, provider: { aws: [{ region: "eu-west-1" }] }, ...extra }));
  return { id, dir };
}

const mirrored = { required_providers: { aws: { source: "aws", version: AWS_PROVIDER_VERSION } } };
const stacks = [
  stackDir("installing", { ...mirrored, backend: { s3: { bucket: "b", key: "k", region: "eu-west-1" } } }),
  stackDir("sharing", mirrored),
  stackDir("unmirrored", { required_providers: { aws: { source: "aws", version: "5.99.0" } } }),
  stackDir("newer-core", { ...mirrored, required_version: ">= 99.0.0" }),
];

describe("providerRequirements", () => {
  it("keys stacks by their required providers alone", () => {
    // GIVEN the stacks above WHEN keyed THEN the backend and core version play no part, the provider version does
    const [installing, sharing, unmirrored, newerCore] = stacks.map(providerRequirements);
    expect([sharing, newerCore]).toEqual([installing, installing]);
    expect(unmirrored).not.toBe(installing);
  });

  it("gives a stack calling modules a key of its own (a module may require providers of its own)", () => {
    // GIVEN a stack with the shared requirements and a module WHEN keyed THEN its key is its own
    const withModule = stackDir("with-module", mirrored, { module: { vpc: { source: "./vpc" } } });
    expect(providerRequirements(withModule)).toBe("modules of with-module");
  });
});

describe("installProviderRequirements and initializeStacks", () => {
  let provider: SharedProvider;
  let init: Readonly<Record<string, StackInit>>;

  beforeAll(async () => {
    provider = await sharedProvider(offlineTerraform().toolchain);
    const installs = await installProviderRequirements(stacks, temporaryDirectory("airflow-stack-init-caches-"));
    init = await initializeStacks(stacks, installs, () => provider.environment);
  }, 120_000);
  afterAll(() => provider.stop());

  it("installs the provider from the mirror for the first stack of a requirement set, with a lock file", () => {
    // THEN the installing stack's own init is the full init, which locked the mirrored version
    const { own, install } = init.installing;
    expect([own.code, install.stack, install.result]).toEqual([0, "installing", own]);
    expect(fs.readFileSync(path.join(stacks[0].dir, ".terraform.lock.hcl"), "utf8")).toContain(`version     = "${AWS_PROVIDER_VERSION}"`);
  });

  it("initializes a stack sharing those requirements as its own root, the provider attached and not installed again", () => {
    // THEN its own init passed, names the installing stack, and wrote neither a provider copy nor a lock file
    const { own, install } = init.sharing;
    expect([own.code, install.stack, install.result.code]).toEqual([0, "installing", 0]);
    expect(fs.existsSync(path.join(stacks[1].dir, ".terraform.lock.hcl"))).toBe(false);
    expect(fs.existsSync(path.join(stacks[1].dir, ".terraform", "providers"))).toBe(false);
  });

  it("fails the stack whose provider requirement the mirror cannot meet", () => {
    // THEN its install is its own init, and it fails naming the version
    const { own, install } = init.unmirrored;
    expect([own.code === 0, install.stack]).toEqual([false, "unmirrored"]);
    expect(own.stderr).toMatch(/5\.99\.0/);
  });

  it("fails the stack whose own configuration init rejects, though another stack installed its requirements", () => {
    // THEN the shared install passed, the stack's own init did not
    const { own, install } = init["newer-core"];
    expect([own.code === 0, install.stack, install.result.code]).toEqual([false, "installing", 0]);
    expect(own.stderr).toContain("Unsupported Terraform Core version");
  });
});
