import type { EnvironmentConfig } from "../config/schema";
import { resolveAirflowOptions } from "../config/derived/airflow-options";
import { albSubnetCidrs } from "../config/derived/proxy";
import type { AirflowRuntime } from "../modules/airflow/airflow-settings";
import { ArnBuilder } from "../modules/core/arn";
import { executionApiUrl } from "../modules/airflow/components";
import type { ContractValues } from "../modules/core/contract";
import { otlpHost } from "../modules/metrics/metrics-collector";
import { PORTS } from "../runtime/ports";
import type { Naming } from "../modules/core/naming";
import type { StorageContract } from "./contracts/storage";

/** Builds the runtime every Airflow container's settings come from, out of config and the storage contract. */
export function airflowRuntime(
  stack: { readonly config: EnvironmentConfig; readonly naming: Naming },
  storage: ContractValues<StorageContract>,
  endpoints: { readonly namespace: string; readonly baseUrl?: string; readonly flowerUrlPrefix?: string; readonly dagBucket?: string },
): AirflowRuntime {
  const { config, naming } = stack;
  const options = resolveAirflowOptions(config);
  if (options.issues.length > 0) {
    throw new Error(`environment "${config.name}": ${options.issues.map((i) => `${i.path} = ${JSON.stringify(i.value)} ${i.problem}`).join("; ")}`);
  }
  return {
    environment: config.name,
    region: config.account.region,
    secretPrefix: naming.secretPrefix,
    auth: config.airflow.auth,
    db: {
      host: storage.db_address,
      port: storage.db_port,
      name: storage.db_name,
      masterSecretArn: storage.db_master_secret_arn,
      poolSize: config.storage.database.sqlAlchemyPoolSize,
    },
    broker: { host: storage.redis_primary_endpoint, port: storage.redis_port, authTokenSecretArn: storage.redis_auth_token_secret_arn },
    secrets: {
      fernetKey: storage.fernet_key_secret_arn,
      apiSecretKey: storage.api_secret_key_secret_arn,
      jwtSecret: storage.jwt_secret_secret_arn,
      adminPassword: storage.admin_password_secret_arn,
      flowerBasicAuth: storage.flower_basic_auth_secret_arn,
    },
    taskLogsBucket: storage.task_logs_bucket_name,
    executionApiUrl: executionApiUrl(endpoints.namespace),
    baseUrl: endpoints.baseUrl,
    jwtIssuer: naming.base,
    forwardedAllowIps: albSubnetCidrs(config),
    options: options.components,
    flowerUrlPrefix: endpoints.flowerUrlPrefix,
    dags: endpoints.dagBucket !== undefined ? { bundles: config.dags.bundles, bucket: endpoints.dagBucket } : undefined,
    // By name: the services stack creates the topic after the task definitions that name it.
    failureTopicArn: config.alarms.taskFailureNotifications ? new ArnBuilder(config).of("sns", naming.alarmTopic) : undefined,
    metrics: { otlpHost: otlpHost(endpoints.namespace), otlpPort: PORTS.otlpHttp },
  };
}
