import type { EnvironmentConfig } from "../../config/schema";
import type { StackKind } from "../../modules/core/contract";
import { contractExampleValues } from "./contract-examples";
import type { DataOverride, OverrideResolver } from "./terraform-harness";

/** Data sources the provider evaluates locally: they need no stand-in. */
const LOCAL_DATA_SOURCES = new Set(["aws_iam_policy_document", "aws_partition"]);

/** Stand-ins for data sources that would call AWS at plan time, keyed by type. */
export const AWS_DATA_STAND_INS: Readonly<Record<string, (body: Record<string, unknown>) => Record<string, unknown>>> = {
  // The broker reads its generated auth token back (ElastiCache's auth_token is not write-only): 64 alphanumerics.
  aws_secretsmanager_secret_version: () => ({ secret_string: "OfflinePlanAuthToken0123456789abcdefOfflinePlanAuthToken01234567" }),
};

/** The example values of a producer's contract (test support), as a consumer would read them from remote state. */
export function contractOutputs(kind: StackKind, config: EnvironmentConfig): Record<string, unknown> {
  return contractExampleValues(kind, config);
}

/**
 * Overrides for every data source of a stack: each `terraform_remote_state` gets its producer's contract examples
 * (so a consumer reading an unpublished output fails the plan with "Unsupported attribute"), AWS-calling data
 * sources get their registered stand-in, and an unknown data source fails loudly.
 */
export function contractOverrides(configs: readonly EnvironmentConfig[]): OverrideResolver {
  return (stack, json) => {
    const overrides: DataOverride[] = [];
    for (const [type, instances] of Object.entries(json.data ?? {})) {
      for (const [name, body] of Object.entries(instances)) {
        const address = `data.${type}.${name}`;
        if (type === "terraform_remote_state") {
          const key = String((body.config as { key?: string } | undefined)?.key ?? "");
          const match = /^([^/]+)\/([a-z]+)\.tfstate$/.exec(key);
          const config = configs.find((c) => c.name === match?.[1]);
          if (!match || !config) throw new Error(`stack ${stack.id}: ${address} reads state key "${key}", which belongs to no known environment stack`);
          overrides.push({ address, values: { outputs: contractOutputs(match[2] as StackKind, config) } });
        } else if (LOCAL_DATA_SOURCES.has(type)) {
          continue;
        } else if (AWS_DATA_STAND_INS[type]) {
          overrides.push({ address, values: AWS_DATA_STAND_INS[type](body) });
        } else {
          throw new Error(`stack ${stack.id}: no offline stand-in for ${address}; register one in __tests__/support/offline-overrides.ts`);
        }
      }
    }
    return overrides;
  };
}
