import { ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { REDEPLOYER_ENV } from "../../runtime/lambda";

/**
 * Redeploys the Airflow services after the database master secret rotates. ECS resolves container `secrets` only
 * when a task starts, so tasks started before a rotation hold the old password: open connections keep working, new
 * ones fail. A new deployment of each service starts tasks with the new password while the old ones drain.
 *
 * Triggered by EventBridge on Secrets Manager's native "Secret Label Updated" event for the database secret when
 * AWSCURRENT moves (the end of a rotation); it works without CloudTrail.
 */

export interface RedeployerConfig {
  readonly cluster: string;
  readonly services: readonly string[];
}

export type ForceNewDeployment = (cluster: string, service: string) => Promise<void>;

export interface SecretLabelUpdatedEvent {
  readonly "detail-type"?: string;
  readonly resources?: readonly string[];
  readonly detail?: { readonly labelUpdated?: string; readonly name?: string };
}

const NAME = /^[A-Za-z0-9_-]{1,255}$/;

export function parseConfig(env: Readonly<Record<string, string | undefined>>): RedeployerConfig {
  const problems: string[] = [];
  const cluster = env[REDEPLOYER_ENV.cluster]?.trim() ?? "";
  if (!NAME.test(cluster)) problems.push(`${REDEPLOYER_ENV.cluster} is ${JSON.stringify(env[REDEPLOYER_ENV.cluster] ?? null)}; expected an ECS cluster name`);
  let services: unknown;
  try {
    services = JSON.parse(env[REDEPLOYER_ENV.services] ?? "");
  } catch {
    services = undefined;
  }
  if (!Array.isArray(services) || services.length === 0 || services.some((s) => typeof s !== "string" || !NAME.test(s))) {
    problems.push(`${REDEPLOYER_ENV.services} is ${JSON.stringify(env[REDEPLOYER_ENV.services] ?? null)}; expected a JSON array of ECS service names`);
  }
  if (problems.length > 0) throw new Error(`Invalid service-redeployer environment:\n${problems.map((p) => `- ${p}`).join("\n")}`);
  return { cluster, services: services as string[] };
}

/** Starts a new deployment of every service; reports all failures together after trying each one. */
export async function redeploy(
  config: RedeployerConfig,
  event: SecretLabelUpdatedEvent,
  force: ForceNewDeployment,
  log: (message: string, fields: object) => void,
): Promise<string[]> {
  if (event.detail?.labelUpdated !== "AWSCURRENT") {
    log("Ignored: not a rotation of the current secret version", { labelUpdated: event.detail?.labelUpdated ?? null });
    return [];
  }
  const failures: string[] = [];
  const started: string[] = [];
  for (const service of config.services) {
    try {
      await force(config.cluster, service);
      started.push(service);
    } catch (error) {
      failures.push(`${service}: ${(error as Error).name}: ${(error as Error).message}`);
    }
  }
  log("Forced new deployments after the database secret rotated", { secret: event.resources ?? [], cluster: config.cluster, started, failures });
  if (failures.length > 0)
    throw new Error(`Could not redeploy ${failures.length} of ${config.services.length} services in ${config.cluster}:\n${failures.join("\n")}`);
  return started;
}

let client: ECSClient | undefined;

export const handler = async (event: SecretLabelUpdatedEvent): Promise<string[]> => {
  const config = parseConfig(process.env);
  client ??= new ECSClient({ maxAttempts: 3 });
  const ecs = client;
  return redeploy(
    config,
    event,
    async (cluster, service) => {
      await ecs.send(new UpdateServiceCommand({ cluster, service, forceNewDeployment: true }));
    },
    (message, fields) => console.log(JSON.stringify({ level: "INFO", message, ...fields })),
  );
};
