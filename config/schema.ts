/**
 * The typed shape of one environment (dev, test, uat, prod, ...), inferred from the spec in `environment-spec.ts`:
 * every field's type, allowed values, default and doc is declared there, once.
 *
 * Environment files live in `config/environments/<name>.json`. A file may leave out any field with a default;
 * `loadEnvironment` fills the defaults in, validates the result and freezes it, so every stack receives a complete,
 * checked `EnvironmentConfig`. The reference of every field is docs/configuration.md (`npm run config-doc`).
 */
import type { ENVIRONMENT_SPEC } from "./environment-spec";
import type { DerivationMismatches, InferConfig, InferFile } from "./spec/language";

/** A complete environment: every static and derived default applied. */
export type EnvironmentConfig = InferConfig<typeof ENVIRONMENT_SPEC>;

/** An environment file as written: required fields present, the others optional. */
export type EnvironmentFile = InferFile<typeof ENVIRONMENT_SPEC>;

/**
 * Compile-time proof that every derivation rule in the spec accepts (its parent object, the config) and returns its
 * field's type: a rule that disagrees fails here, naming its path.
 */
export type DerivationsAgree = NeverOrFail<DerivationMismatches<typeof ENVIRONMENT_SPEC, EnvironmentConfig>>;
type NeverOrFail<T extends never> = T;

export type AccountConfig = EnvironmentConfig["account"];
export type StateConfig = EnvironmentConfig["state"];
export type NetworkConfig = EnvironmentConfig["network"];
export type SubnetLayout = NetworkConfig["subnets"];
/** One NAT gateway per AZ (survives an AZ loss) or one shared NAT gateway (cheaper, single point of failure). */
export type NatGatewayMode = NetworkConfig["natGateways"];

export type StorageConfig = EnvironmentConfig["storage"];
export type DatabaseConfig = StorageConfig["database"];
/** The scheduled `airflow db clean` task. */
export type DatabaseCleanupConfig = DatabaseConfig["cleanup"];
export type RedisConfig = StorageConfig["redis"];
export type EfsConfig = StorageConfig["efs"];
/** EFS throughput mode for the DAG file system. */
export type EfsThroughputMode = EfsConfig["throughputMode"];

export type ComputeConfig = EnvironmentConfig["compute"];
export type BastionConfig = ComputeConfig["bastion"];

export type AirflowConfig = EnvironmentConfig["airflow"];
/** How people sign in: FAB users and passwords, the simple auth manager (throwaway environments) or OIDC through FAB. */
export type AuthConfig = AirflowConfig["auth"];
export type AuthKind = AuthConfig["kind"];
/** Sign-in with an OpenID Connect provider (FAB OAuth), groups mapped to Airflow roles. */
export type OidcAuthConfig = Extract<AuthConfig, { readonly kind: "oidc" }>;
/** A long-running Airflow component: its replica count and task size. */
export type ComponentConfig = AirflowConfig["apiServer"];
export type FlowerConfig = AirflowConfig["flower"];
/** How Flower is reached: through the ALB under `/flower` with basic auth, or only through the bastion (port forwarding). */
export type FlowerExposure = FlowerConfig["exposure"];
/** CPU units (1024 = 1 vCPU) and memory (MiB) of one ECS task. */
export type TaskSize = Pick<ComponentConfig, "cpu" | "memory">;

export type WorkerPoolConfig = EnvironmentConfig["workerPools"][number];
/** Where a worker pool's tasks run. */
export type CapacityKind = WorkerPoolConfig["capacity"];
/** A worker pool's own task role grants (S3 folders, secrets, KMS keys, managed policies). */
export type WorkerTaskRoleConfig = NonNullable<WorkerPoolConfig["taskRole"]>;

export type DagsConfig = EnvironmentConfig["dags"];
export type DagBundleConfig = DagsConfig["bundles"][number];
/** Where a DAG bundle's files come from (Airflow 3 DAG bundles; see README "Deploying DAGs"). */
export type DagSourceKind = DagBundleConfig["source"];
/** DAG files on the environment's EFS file system, delivered by `npm run deploy-dags` (atomic release switch). */
export type EfsDagBundleConfig = Extract<DagBundleConfig, { readonly source: "efs" }>;
/** Airflow's GitDagBundle: every component clones the repository and follows `ref`. */
export type GitDagBundleConfig = Extract<DagBundleConfig, { readonly source: "git" }>;
/** Airflow's S3DagBundle on the environment's DAG bucket: every component syncs the prefix. */
export type S3DagBundleConfig = Extract<DagBundleConfig, { readonly source: "s3" }>;

export type AlbConfig = EnvironmentConfig["alb"];
export type AlarmsConfig = EnvironmentConfig["alarms"];
/** A further subscription of the alarm topic. */
export type AlarmSubscriptionConfig = AlarmsConfig["subscriptions"][number];
/** Thresholds of the alarms on Airflow's own metrics, per environment. */
export type AlarmThresholds = AlarmsConfig["thresholds"];
export type CiConfig = EnvironmentConfig["ci"];
export type SpotConfig = NonNullable<ComputeConfig["spot"]>;
export type HibernationConfig = NonNullable<EnvironmentConfig["hibernation"]>;
export type HibernationWindow = HibernationConfig["windows"][number];

/** Recursively optional (e.g. a test's overrides of an environment). */
export type DeepPartial<T> = T extends readonly (infer U)[]
  ? readonly DeepPartial<U>[]
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;
