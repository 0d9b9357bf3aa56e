import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The AWS provider the stacks pin (@cdktf/provider-aws 20.1.0 is generated from it). */
export const AWS_PROVIDER_VERSION = "5.100.0";
export const MIN_TERRAFORM_VERSION = [1, 11, 0] as const;

/** Where a filesystem mirror of the provider is looked for when TF_PROVIDER_MIRROR is not set. */
const MIRROR_CANDIDATES = [
  "/opt/tf-plugins",
  path.join(os.homedir(), ".terraform.d", "plugins"),
  path.join(os.homedir(), ".local", "share", "terraform", "plugins"),
  "/usr/local/share/terraform/plugins",
  "/usr/share/terraform/plugins",
];

/**
 * One OS thread of Go code per Terraform and provider process. The suite keeps both cores busy with Jest workers and
 * several Terraform processes at once, so a second thread per process buys no speed; it only adds scheduler and
 * garbage-collector work (about 13% more CPU for the same validate, measured).
 */
export const GO_SINGLE_THREAD = { GOMAXPROCS: "1" } as const;

/**
 * A garbage-collection target of 200% for the one long Terraform process of the apply tier, which holds the states
 * and plans of every level: collecting half as often cut the tier's CPU by about a sixth, for up to ~1 GB of memory
 * (71 -> 60 CPU-s, mean of three runs each; 400% used 2 GB for less gain). The shorter processes gained nothing.
 */
export const LONG_RUN_GC = { GOGC: "200" } as const;

export interface TerraformToolchain {
  readonly binary: string;
  readonly version: string;
  /** Root of a `terraform providers mirror` layout holding hashicorp/aws 5.100.0. */
  readonly mirror: string;
}

function compareVersions(version: string, minimum: readonly number[]): number {
  const parts = version.split(".").map((p) => parseInt(p, 10) || 0);
  for (let i = 0; i < minimum.length; i++) {
    if ((parts[i] ?? 0) !== minimum[i]) return (parts[i] ?? 0) - minimum[i];
  }
  return 0;
}

function platform(): string {
  const arch = { x64: "amd64", arm64: "arm64" }[process.arch as string] ?? process.arch;
  return `${process.platform}_${arch}`;
}

/** The provider package directory inside a mirror, if the mirror holds it. */
function providerIn(mirror: string): string | undefined {
  const dir = path.join(mirror, "registry.terraform.io", "hashicorp", "aws", AWS_PROVIDER_VERSION, platform());
  const unpacked = fs.existsSync(dir) && fs.readdirSync(dir).some((f) => f.startsWith(`terraform-provider-aws_v${AWS_PROVIDER_VERSION}`));
  const packed = fs.existsSync(
    path.join(mirror, "registry.terraform.io", "hashicorp", "aws", `terraform-provider-aws_${AWS_PROVIDER_VERSION}_${platform()}.zip`),
  );
  return unpacked || packed ? dir : undefined;
}

/**
 * Finds Terraform (>= 1.11) and an offline mirror of the AWS provider, or throws an error that says what is
 * missing and how to provide it. The real-Terraform test tiers never skip: without these they fail.
 */
export function locateToolchain(): TerraformToolchain {
  const binary = process.env.TERRAFORM_BINARY_NAME ?? "terraform";
  let version: string;
  try {
    version = JSON.parse(
      execFileSync(binary, ["version", "-json"], { encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null" } }),
    ).terraform_version;
  } catch (error) {
    throw new Error(
      `Terraform is required by the test suite but "${binary} version" failed (${(error as Error).message.split("\n")[0]}). ` +
        `Install Terraform >= ${MIN_TERRAFORM_VERSION.join(".")} on PATH or set TERRAFORM_BINARY_NAME.`,
    );
  }
  if (compareVersions(version, MIN_TERRAFORM_VERSION) < 0)
    throw new Error(
      `Terraform ${version} is too old: the stacks use S3-native locking and the tests use terraform test overrides; need >= ${MIN_TERRAFORM_VERSION.join(".")}.`,
    );

  const candidates = process.env.TF_PROVIDER_MIRROR ? [process.env.TF_PROVIDER_MIRROR] : MIRROR_CANDIDATES;
  const mirror = candidates.find((dir) => providerIn(dir) !== undefined);
  if (!mirror) {
    throw new Error(
      `No filesystem mirror with hashicorp/aws ${AWS_PROVIDER_VERSION} for ${platform()} found (looked in ${candidates.join(", ")}). ` +
        `The offline Terraform tiers need one: run "terraform providers mirror -platform=${platform()} <dir>" once on a machine with ` +
        `network access, then set TF_PROVIDER_MIRROR=<dir>.`,
    );
  }
  return { binary, version, mirror };
}

/**
 * Writes a Terraform CLI configuration that installs the AWS provider only from the mirror, with a plugin cache
 * so each `init` links instead of copying the ~700 MB binary. Returns its path.
 */
export function writeOfflineCliConfig(dir: string, toolchain: TerraformToolchain): string {
  const cache = path.join(dir, "plugin-cache");
  fs.mkdirSync(cache, { recursive: true });
  const file = path.join(dir, "offline.tfrc");
  fs.writeFileSync(
    file,
    [
      `plugin_cache_dir = ${JSON.stringify(cache)}`,
      "disable_checkpoint = true",
      "provider_installation {",
      "  filesystem_mirror {",
      `    path    = ${JSON.stringify(toolchain.mirror)}`,
      '    include = ["registry.terraform.io/hashicorp/aws"]',
      "  }",
      "}",
      "",
    ].join("\n"),
  );
  return file;
}
