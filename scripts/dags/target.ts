/**
 * Where DAGs of an environment are delivered (bucket, cluster, sync task, network): the SSM parameter the services
 * stack publishes (modules/dags/dag-delivery.ts), read and checked before anything is uploaded.
 */
import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import type { EnvironmentConfig } from "../../config/schema";
import { Naming } from "../../modules/core/naming";
import { dagDeliveryParameterName, type DagDeliveryTarget } from "../../modules/dags/dag-delivery";
import { CliError } from "../lib/cli";
import { awsFailure, errorName } from "./errors";

const STRING_FIELDS = ["environment", "bucket", "cluster", "syncTaskDefinition", "syncContainer", "syncLogGroup", "syncLogStreamPrefix"] as const;
const LIST_FIELDS = ["subnets", "securityGroups"] as const;

/** The SSM parameter the services stack publishes, validated. */
export async function readDeliveryTarget(config: EnvironmentConfig, ssm: SSMClient): Promise<DagDeliveryTarget> {
  const name = dagDeliveryParameterName(new Naming(config.namePrefix, config.name, config.account.id));
  const value = await parameterValue(ssm, name, config.name);
  const problem = (what: string) =>
    new CliError(`SSM parameter ${name} is not a valid DAG delivery target: ${what}; re-apply the services stack of ${config.name}`);
  let raw: unknown;
  try {
    raw = JSON.parse(value ?? "");
  } catch {
    throw problem("its value is not JSON");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw problem("its value is not a JSON object");
  const record = raw as Record<string, unknown>;
  for (const field of STRING_FIELDS) {
    if (typeof record[field] !== "string" || record[field] === "")
      throw problem(`"${field}" is ${JSON.stringify(record[field]) ?? "missing"}; expected a non-empty string`);
  }
  for (const field of LIST_FIELDS) {
    const list = record[field];
    if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === "string" && s !== "")) {
      throw problem(`"${field}" is ${JSON.stringify(list) ?? "missing"}; expected a non-empty list of ids`);
    }
  }
  if (record.environment !== config.name) throw problem(`it names environment "${String(record.environment)}", not "${config.name}"`);
  return record as unknown as DagDeliveryTarget;
}

async function parameterValue(ssm: SSMClient, name: string, environment: string): Promise<string | undefined> {
  try {
    return (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  } catch (error) {
    if (errorName(error) === "ParameterNotFound") {
      throw new CliError(`SSM parameter ${name} does not exist; apply the services stack of ${environment} first (it publishes where DAGs are delivered)`);
    }
    throw awsFailure(`SSM GetParameter ${name}`, error);
  }
}
