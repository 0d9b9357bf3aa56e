import type { TerraformStack } from "cdktf";
import { ArnBuilder } from "../core/arn";
import { Naming } from "../core/naming";

/** What the rules need to know about the environment a stack belongs to. */
export interface EnvironmentInfo {
  /** Environment name, e.g. `prod`. */
  readonly name: string;
  /** The environment config's `production` flag: production-only rules (Multi-AZ, deletion protection, ...) apply. */
  readonly production: boolean;
  /** ARN prefix of the secrets the environment owns, e.g. `arn:aws:secretsmanager:eu-west-1:333333333333:secret:airflow/prod/`. */
  readonly secretArnPrefix?: string;
}

/** Finds the environment of a stack; `undefined` for stacks outside any environment (the state bootstraps). */
export type EnvironmentResolver = (stack: TerraformStack) => EnvironmentInfo | undefined;

interface EnvironmentConfigShape {
  readonly name: string;
  readonly production: boolean;
  readonly namePrefix: string;
  readonly account: { readonly id: string; readonly region: string };
}

function isEnvironmentConfig(value: unknown): value is EnvironmentConfigShape {
  const c = value as Partial<EnvironmentConfigShape> | undefined;
  return (
    typeof c === "object" &&
    c !== null &&
    typeof c.name === "string" &&
    typeof c.production === "boolean" &&
    typeof c.namePrefix === "string" &&
    typeof c.account?.id === "string" &&
    typeof c.account?.region === "string"
  );
}

/**
 * The default resolver: every environment stack (`AirflowStack`) carries its validated `EnvironmentConfig` as the
 * public `config` property, so the environment is read from there: the name, the `production` flag and the secret
 * prefix `<namePrefix>/<name>/` in the environment's account and region (as `Naming.secretPrefix` builds it).
 * Stacks without one (the state bootstraps) have no environment, and production rules apply to them.
 */
export function environmentFromStackConfig(stack: TerraformStack): EnvironmentInfo | undefined {
  const config = (stack as unknown as { config?: unknown }).config;
  if (!isEnvironmentConfig(config)) return undefined;
  const naming = new Naming(config.namePrefix, config.name, config.account.id);
  return {
    name: config.name,
    production: config.production,
    secretArnPrefix: new ArnBuilder(config).of("secretsmanager", `secret:${naming.secretPrefix}/`),
  };
}
