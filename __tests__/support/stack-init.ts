import * as fs from "fs";
import * as path from "path";
import { INIT_ARGS, pool, terraform, terraformEnvironment, type CommandResult, type StackUnderTest } from "./terraform-cli";

/**
 * Every stack initialized as its own root (`terraform init -backend=false`), with the ~700 MB provider installed
 * from the mirror once per set of provider requirements instead of once per stack.
 *
 * What a stack's init decides that another stack's cannot is its own: its configuration loads, its modules and
 * any other provider install, its backend block parses. The `hashicorp/aws` install is the same for every stack
 * that requires the same providers: init selects a version from the requirements and the mirror alone (there is no
 * lock file), then hashes the package for the lock file, about 0.8 s of CPU that was four fifths of each init. So the
 * first stack of each requirement set gets the full init; the others are initialized with `hashicorp/aws` attached
 * (TF_REATTACH_PROVIDERS, which init leaves out of installation and the lock file, never connecting to it), and
 * their result names the full init that installed their requirements.
 */

/** How one stack initialized. */
export interface StackInit {
  /** The stack's own `terraform init -backend=false`. */
  readonly own: CommandResult;
  /** The full init, provider installed from the mirror, of the stack whose provider requirements this one shares. */
  readonly install: { readonly stack: string; readonly result: CommandResult };
}

/**
 * The key of a stack's provider requirements: what init installs providers from. A stack calling modules gets a
 * key of its own, since its modules may declare requirements of their own.
 */
export function providerRequirements(stack: StackUnderTest): string {
  const json = JSON.parse(fs.readFileSync(path.join(stack.dir, "cdk.tf.json"), "utf8")) as {
    terraform?: { required_providers?: unknown };
    module?: unknown;
  };
  if (json.module !== undefined) return `modules of ${stack.id}`;
  return JSON.stringify(json.terraform?.required_providers ?? null);
}

/**
 * The full init, from the mirror, of the first stack of each set of provider requirements: stack id -> the stack
 * whose init installed its requirements and that init's result. Run this first: the installing stacks' `.terraform`
 * holds an unpacked provider to start when the mirror is packed.
 */
export async function installProviderRequirements(
  stacks: readonly StackUnderTest[],
  /** A directory that outlives the stacks' use, for the installs' plugin caches. */
  workdir: string,
): Promise<Readonly<Record<string, { readonly stack: string; readonly result: CommandResult }>>> {
  const keys = stacks.map(providerRequirements);
  const sets = [...new Set(keys)];
  const installers = sets.map((key) => stacks[keys.indexOf(key)]);
  // Each install gets a plugin cache of its own under `workdir` (the installed provider links into it, so it lives as
  // long as the stacks are used): two inits writing one cache race (hashicorp/terraform#31964), and the suite's
  // Terraform files run in two workers at once.
  const results = await pool(installers, 2, (s) => {
    const cache = fs.mkdtempSync(path.join(workdir, "plugin-cache-"));
    return terraform(INIT_ARGS, s.dir, terraformEnvironment({ TF_PLUGIN_CACHE_DIR: cache }));
  });
  return Object.fromEntries(
    stacks.map((s, i) => {
      const set = sets.indexOf(keys[i]);
      return [s.id, { stack: installers[set].id, result: results[set] }];
    }),
  );
}

/**
 * Initializes every stack as its own root. A stack whose requirements another stack installed is initialized with
 * `hashicorp/aws` attached through `attachment(stack)` (a TF_REATTACH_PROVIDERS environment).
 */
export async function initializeStacks<S extends StackUnderTest>(
  stacks: readonly S[],
  installs: Readonly<Record<string, { readonly stack: string; readonly result: CommandResult }>>,
  attachment: (stack: S) => Readonly<Record<string, string>>,
): Promise<Readonly<Record<string, StackInit>>> {
  const own = await pool(stacks, 2, (s) =>
    installs[s.id].stack === s.id ? Promise.resolve(installs[s.id].result) : terraform(INIT_ARGS, s.dir, terraformEnvironment({ ...attachment(s) })),
  );
  return Object.fromEntries(stacks.map((s, i) => [s.id, { own: own[i], install: installs[s.id] }]));
}
