/**
 * The typed shape of one environment (dev, test, uat, prod, ...).
 *
 * Environment files live in `config/environments/<name>.json`. A file may leave out any field documented with
 * `@default`; `loadEnvironment` fills the default, validates the result and freezes it, so every stack receives a
 * complete, checked `EnvironmentConfig`.
 */

/** Where a worker pool's tasks run. */
export type CapacityKind = "ec2" | "fargate" | "fargate-spot";

/** One NAT gateway per AZ (survives an AZ loss) or one shared NAT gateway (cheaper, single point of failure). */
export type NatGatewayMode = "per-az" | "single";

/** Airflow 3 auth manager: FAB for production users and roles, the simple auth manager for throwaway environments. */
export type AuthManagerKind = "fab" | "simple";

/** How Flower is reached: through the ALB under `/flower` with basic auth, or only through the bastion (port forwarding). */
export type FlowerExposure = "alb" | "bastion";

/** EFS throughput mode for the DAG file system. */
export type EfsThroughputMode = "elastic" | "bursting";

export interface AccountConfig {
  /** The 12-digit AWS account id the environment is deployed to; the provider refuses any other account. */
  readonly id: string;
  /** AWS region, e.g. `eu-west-1`. */
  readonly region: string;
}

export interface StateConfig {
  /**
   * S3 bucket holding every stack's state, created once per account by the `terraform-state/` bootstrap stack.
   * @default `<namePrefix>-tfstate-<account.id>`
   */
  readonly bucket: string;
  /** @default account.region */
  readonly region: string;
}

export interface SubnetLayout {
  /** One public subnet per AZ (ALB, NAT gateways). */
  readonly public: readonly string[];
  /** One private subnet per AZ (ECS tasks and hosts, RDS, Redis, EFS, Lambda, bastion). */
  readonly private: readonly string[];
}

export interface NetworkConfig {
  /** VPC IPv4 CIDR, prefix /16 to /20. */
  readonly vpcCidr: string;
  /**
   * Number of availability zones (2 to 6).
   * @default 2
   */
  readonly azCount: number;
  /**
   * AZ names, one per `azCount`.
   * @default the region name followed by a, b, c, ... (e.g. `eu-west-1a`, `eu-west-1b`)
   */
  readonly availabilityZones: readonly string[];
  /**
   * Subnet CIDRs. Leave out to carve them from the VPC CIDR: private subnets are the first `azCount` blocks of
   * prefix+3, public subnets /+6 blocks at the end of the VPC range.
   * @default carved from `vpcCidr`
   */
  readonly subnets: SubnetLayout;
  /** @default "per-az" */
  readonly natGateways: NatGatewayMode;
  /**
   * Interface VPC endpoints (ECR, CloudWatch Logs, Secrets Manager, SSM, STS, ECS, CloudWatch) so image pulls,
   * secrets and logs do not depend on NAT. The S3 gateway endpoint is always created (it is free).
   * @default true
   */
  readonly interfaceEndpoints: boolean;
  /** @default 365 */
  readonly flowLogRetentionDays: number;
}

export interface DatabaseConfig {
  /** PostgreSQL major.minor version, e.g. `16.8`; auto minor upgrades stay on. */
  readonly engineVersion: string;
  /** e.g. `db.t4g.medium`, `db.m7g.large`. */
  readonly instanceClass: string;
  readonly allocatedStorageGb: number;
  /** Storage autoscaling ceiling; must be >= allocatedStorageGb. */
  readonly maxAllocatedStorageGb: number;
  readonly multiAz: boolean;
  /** 1 to 35 days; production needs >= 7. */
  readonly backupRetentionDays: number;
  /** Also controls the final snapshot on delete. */
  readonly deletionProtection: boolean;
  readonly performanceInsights: boolean;
  /**
   * Rotation period of the RDS-managed master secret (services are redeployed after each rotation, see README).
   * @default 30
   */
  readonly masterSecretRotationDays: number;
  /**
   * Ceiling for SQLAlchemy pool connections per Airflow process; see README sizing notes.
   * @default 5
   */
  readonly sqlAlchemyPoolSize: number;
}

export interface RedisConfig {
  /** Redis OSS engine version, e.g. `7.1`. */
  readonly engineVersion: string;
  /** e.g. `cache.t4g.small`. */
  readonly nodeType: string;
  /** Number of cache nodes in the replication group (1 = no replica; >= 2 enables Multi-AZ automatic failover). */
  readonly nodeCount: number;
  /** 0 disables snapshots. */
  readonly snapshotRetentionDays: number;
}

export interface EfsConfig {
  /** @default "elastic" */
  readonly throughputMode: EfsThroughputMode;
}

export interface StorageConfig {
  readonly database: DatabaseConfig;
  readonly redis: RedisConfig;
  readonly efs: EfsConfig;
  /** Days after which task-log objects expire in the task-log bucket. */
  readonly taskLogExpirationDays: number;
  /** Days after which ALB access logs expire. @default 90 */
  readonly albLogExpirationDays: number;
  /** CloudWatch Logs retention for component log groups, in days. */
  readonly logRetentionDays: number;
}

export interface BastionConfig {
  readonly enabled: boolean;
  /** @default "t4g.nano" */
  readonly instanceType: string;
}

export interface ComputeConfig {
  /** ECS container instance type, e.g. `m7i.large` (x86_64; the Airflow image is built for linux/amd64). */
  readonly instanceType: string;
  readonly minInstances: number;
  readonly maxInstances: number;
  /** Capacity provider managed-scaling target, 1-100 (100 = pack hosts fully). @default 90 */
  readonly targetCapacityPercent: number;
  /** Root EBS volume size in GiB (>= 30 for the ECS-optimized AMI). @default 40 */
  readonly rootVolumeGb: number;
  /**
   * Seconds the ECS agent waits between SIGTERM and SIGKILL for containers that set no stop timeout: the warm-shutdown
   * budget of EC2 worker pools (Fargate caps it at 120 s).
   * @default 900
   */
  readonly containerStopTimeoutSeconds: number;
  /**
   * Manage the account-wide ECS `awsvpcTrunking` default here, so container instances get many more task ENIs (an
   * m7i.large goes from 2 awsvpc tasks to 10). One environment per account may manage it.
   * @default false
   */
  readonly awsvpcTrunking: boolean;
  readonly bastion: BastionConfig;
}

/** CPU units (1024 = 1 vCPU) and memory (MiB) of one ECS task. */
export interface TaskSize {
  readonly cpu: number;
  readonly memory: number;
}

export interface ComponentConfig extends TaskSize {
  readonly desiredCount: number;
}

export interface FlowerConfig extends TaskSize {
  readonly enabled: boolean;
  /** @default "bastion" */
  readonly exposure: FlowerExposure;
}

export interface AirflowConfig {
  /** Tag of the Airflow image in this environment's ECR repository (built from docker/). */
  readonly imageTag: string;
  /** @default "fab" */
  readonly authManager: AuthManagerKind;
  readonly apiServer: ComponentConfig;
  readonly scheduler: ComponentConfig;
  readonly dagProcessor: ComponentConfig;
  readonly triggerer: ComponentConfig;
  readonly flower: FlowerConfig;
}

export interface WorkerPoolConfig extends TaskSize {
  /** Pool name, used in service and metric names: lowercase letters, digits and hyphens. */
  readonly name: string;
  /** Celery queues this pool consumes; a queue belongs to exactly one pool. */
  readonly queues: readonly string[];
  /** Celery worker concurrency (task slots per worker); also the autoscaling divisor. */
  readonly concurrency: number;
  /** Lower bound of the pool's desired count (0 = scale to zero when idle). */
  readonly minCount: number;
  readonly maxCount: number;
  /** @default "ec2" */
  readonly capacity: CapacityKind;
}

/** Where a DAG bundle's files come from (Airflow 3 DAG bundles; see README "Deploying DAGs"). */
export type DagSourceKind = "efs" | "git" | "s3";

interface DagBundleBase {
  /**
   * Bundle name: Airflow's bundle name, the folder of an EFS bundle, the default S3 prefix. Lowercase letters,
   * digits and hyphens; unique per environment.
   */
  readonly name: string;
  /**
   * Seconds between refreshes: how often Airflow looks for new files (EFS), fetches the repository (Git) or syncs
   * the prefix (S3).
   * @default 60 for efs, 300 for git and s3
   */
  readonly refreshIntervalSeconds: number;
}

/** DAG files on the environment's EFS file system, delivered by `npm run deploy-dags` (atomic release switch). */
export interface EfsDagBundleConfig extends DagBundleBase {
  readonly source: "efs";
}

/** Airflow's GitDagBundle: every component clones the repository and follows `ref`. */
export interface GitDagBundleConfig extends DagBundleBase {
  readonly source: "git";
  /** Clone URL: `https://host/owner/repo.git` (no credentials in it) or `git@host:owner/repo.git`. */
  readonly repository: string;
  /** Branch or tag to follow, or a full 40-character commit SHA to pin. */
  readonly ref: string;
  /** Folder of the repository holding the DAGs. @default the repository root */
  readonly subdir?: string;
  /**
   * Secrets Manager secret (ARN, in the environment's account and region) holding the Airflow git connection as
   * JSON: a token (`{"conn_type": "git", "login": "x-access-token", "password": "<token>"}`) or a deploy key
   * (`{"conn_type": "git", "extra": {"private_key": "<key>"}}`). Required for SSH URLs; leave out for public
   * HTTPS repositories. Encrypt it with the `aws/secretsmanager` key or the environment's data key.
   */
  readonly credentialsSecretArn?: string;
}

/** Airflow's S3DagBundle on the environment's DAG bucket: every component syncs the prefix. */
export interface S3DagBundleConfig extends DagBundleBase {
  readonly source: "s3";
  /**
   * Folder of the bundle under `dags/` in the environment's DAG bucket (`s3://<dag bucket>/dags/<prefix>/`).
   * @default the bundle name
   */
  readonly prefix: string;
}

export type DagBundleConfig = EfsDagBundleConfig | GitDagBundleConfig | S3DagBundleConfig;

export interface DagsConfig {
  /**
   * The environment's DAG bundles, in the order Airflow lists them; the image's platform DAGs are always added.
   * @default one EFS bundle named "dags"
   */
  readonly bundles: readonly DagBundleConfig[];
  /**
   * EFS releases kept per bundle (the current one included): what `deploy-dags --version` can switch back to
   * without uploading again.
   * @default 5
   */
  readonly keepReleases: number;
  /**
   * GitHub repositories (`owner/repo`) whose workflows may deliver this environment's EFS and S3 bundles, from the
   * repository's GitHub environment of this environment's name (OIDC role `<prefix>-<env>-ci-dags`).
   * @default none (no role)
   */
  readonly deployRepositories: readonly string[];
}

export interface AlbConfig {
  /** Internet-facing ALB (true) or internal ALB reached through VPN/bastion (false). */
  readonly internetFacing: boolean;
  /** CIDRs allowed to reach the ALB listeners. */
  readonly allowedCidrs: readonly string[];
  /** ACM certificate ARN; without it the ALB serves plain HTTP (non-production only). */
  readonly certificateArn?: string;
  /** DNS name users reach Airflow at (a record you point at the ALB); Airflow builds its links from it. @default the ALB's DNS name */
  readonly hostname?: string;
}

export interface AlarmsConfig {
  /** E-mail subscribed to the environment's alarm topic (required in production). */
  readonly email?: string;
}

export interface CiConfig {
  /**
   * `owner/repo` allowed to assume this environment's CI roles through GitHub OIDC; leave out to create no CI roles.
   */
  readonly githubRepository?: string;
  /**
   * Create the account's GitHub OIDC identity provider (only one may exist per account; set false where another
   * environment in the same account already creates it).
   * @default true when githubRepository is set
   */
  readonly createOidcProvider: boolean;
}

export interface EnvironmentConfig {
  /** Environment name: lowercase letters and digits, 2-8 characters (dev, test, uat, prod). */
  readonly name: string;
  /**
   * Production environments must meet the production minimums (Multi-AZ data stores, >= 2 api-servers and
   * schedulers, >= 7 days of backups, deletion protection, HTTPS, an alarm e-mail); validation enforces them.
   */
  readonly production: boolean;
  /** Prefix of every resource name: lowercase letters, digits and inner hyphens, 2-12 characters. */
  readonly namePrefix: string;
  readonly account: AccountConfig;
  readonly state: StateConfig;
  /** Extra tags on every resource (added to project/environment/stack). @default {} */
  readonly tags: Readonly<Record<string, string>>;
  readonly network: NetworkConfig;
  readonly storage: StorageConfig;
  readonly compute: ComputeConfig;
  readonly airflow: AirflowConfig;
  /** Celery worker pools: one ECS service per pool. */
  readonly workerPools: readonly WorkerPoolConfig[];
  /** How DAG code reaches the components: Airflow DAG bundles from EFS, Git or S3. */
  readonly dags: DagsConfig;
  readonly alb: AlbConfig;
  readonly alarms: AlarmsConfig;
  readonly ci: CiConfig;
}

/** Recursively optional: the shape of an environment file before defaults are applied. */
export type DeepPartial<T> = T extends readonly (infer U)[]
  ? readonly DeepPartial<U>[]
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

export type EnvironmentFile = DeepPartial<EnvironmentConfig>;
