import type { ArrayField, BooleanField, FieldSpec, IntegerField, ObjectField, StringField, VariantField } from "./fields";

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
export const CIDR_TEXT = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;

const str = (allowed: string, extra: Partial<StringField> = {}): StringField => ({ kind: "string", allowed, ...extra });
const int = (min: number, max: number, extra: Partial<IntegerField> = {}): IntegerField => ({ kind: "integer", min, max, ...extra });
const bool = (extra: Partial<BooleanField> = {}): BooleanField => ({ kind: "boolean", ...extra });
const obj = (fields: Record<string, FieldSpec>, extra: Partial<ObjectField> = {}): ObjectField => ({ kind: "object", fields, ...extra });
const list = (items: FieldSpec, minItems: number, maxItems: number, extra: Partial<ArrayField> = {}): ArrayField => ({
  kind: "array",
  items,
  minItems,
  maxItems,
  ...extra,
});

const variant = (discriminator: string, noun: string, variants: Record<string, ObjectField>, extra: Partial<VariantField> = {}): VariantField => ({
  kind: "variant",
  discriminator,
  noun,
  variants,
  ...extra,
});

const cidr = str("an IPv4 CIDR such as 10.20.0.0/16", { pattern: CIDR_TEXT });
const logRetention = (fallback?: number): IntegerField => int(1, 3653, { oneOf: LOG_RETENTION_DAYS, default: fallback });
const instanceType = (example: string): StringField => str(`an EC2 instance type such as ${example}`, { pattern: /^[a-z][a-z0-9-]*\.[a-z0-9]+$/ });

/** CPU units and MiB of one task; the Fargate/EC2-specific checks are in validate.ts. */
const taskSize = {
  cpu: int(128, 16384),
  memory: int(256, 122880),
};
const component = (minCount: number) => obj({ desiredCount: int(minCount, 20), ...taskSize });

export const ENVIRONMENT_SPEC: ObjectField = obj({
  name: str("2-8 lowercase letters or digits starting with a letter, equal to the file name", { pattern: /^[a-z][a-z0-9]{1,7}$/ }),
  production: bool(),
  namePrefix: str("2-12 lowercase letters, digits or inner hyphens, starting with a letter (e.g. airflow)", {
    pattern: /^[a-z](?!.*--)[a-z0-9-]{0,10}[a-z0-9]$/,
  }),
  account: obj({
    id: str("a 12-digit AWS account id", { pattern: /^\d{12}$/ }),
    region: str("an AWS region name such as eu-west-1 or us-east-2", { pattern: REGION_PATTERN }),
  }),
  state: obj(
    {
      bucket: str(
        "an S3 bucket name of 3-51 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit (12 characters stay free for the -access-logs companion bucket)",
        {
          pattern: /^(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,49}[a-z0-9]$/,
          derived: true,
        },
      ),
      region: str("an AWS region name such as eu-west-1", { pattern: REGION_PATTERN, derived: true }),
    },
    { default: {} },
  ),
  tags: {
    kind: "record",
    keyPattern: /^(?!aws:)(?!(project|environment|stack|managed-by)$)[A-Za-z0-9 _.:/=+@-]{1,128}$/,
    keyAllowed:
      "tag keys of 1-128 letters, digits, spaces or _.:/=+-@, not starting with aws: and not project/environment/stack/managed-by (set by the stacks)",
    values: str("a tag value of at most 256 letters, digits, spaces or _.:/=+-@", { pattern: /^[A-Za-z0-9 _.:/=+@-]{0,256}$/ }),
    maxEntries: 40,
    default: {},
  },
  network: obj({
    vpcCidr: cidr,
    azCount: int(2, 6, { default: 2 }),
    availabilityZones: list(
      str("an AZ name in the environment's region, such as eu-west-1a", { pattern: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/ }),
      2,
      6,
      { derived: true },
    ),
    subnets: obj(
      {
        public: list(cidr, 2, 6),
        private: list(cidr, 2, 6),
      },
      { derived: true },
    ),
    natGateways: str('"per-az" or "single"', { oneOf: ["per-az", "single"], default: "per-az" }),
    interfaceEndpoints: bool({ default: true }),
    flowLogRetentionDays: logRetention(365),
  }),
  storage: obj({
    database: obj({
      engineVersion: str("a PostgreSQL 16 or 17 version such as 16.8 or 17.4", { pattern: /^1[67](\.\d{1,2})?$/ }),
      instanceClass: str("an RDS instance class such as db.t4g.medium", { pattern: /^db\.[a-z0-9]+\.[a-z0-9]+$/ }),
      allocatedStorageGb: int(20, 65536),
      maxAllocatedStorageGb: int(20, 65536),
      multiAz: bool(),
      backupRetentionDays: int(1, 35),
      deletionProtection: bool(),
      performanceInsights: bool(),
      masterSecretRotationDays: int(1, 365, { default: 30 }),
      sqlAlchemyPoolSize: int(1, 50, { default: 5 }),
    }),
    redis: obj({
      engineVersion: str("a Redis OSS version ElastiCache offers: 6.2, 7.0 or 7.1", { oneOf: ["6.2", "7.0", "7.1"] }),
      nodeType: str("an ElastiCache node type such as cache.t4g.small", { pattern: /^cache\.[a-z0-9]+\.[a-z0-9]+$/ }),
      nodeCount: int(1, 6),
      snapshotRetentionDays: int(0, 35),
    }),
    efs: obj({ throughputMode: str('"elastic" or "bursting"', { oneOf: ["elastic", "bursting"], default: "elastic" }) }, { default: {} }),
    taskLogExpirationDays: int(1, 3650),
    albLogExpirationDays: int(1, 3650, { default: 90 }),
    logRetentionDays: logRetention(),
  }),
  compute: obj({
    instanceType: instanceType("m7i.large"),
    minInstances: int(0, 100),
    maxInstances: int(1, 100),
    targetCapacityPercent: int(1, 100, { default: 90 }),
    rootVolumeGb: int(30, 1000, { default: 40 }),
    containerStopTimeoutSeconds: int(30, 3600, { default: 900 }),
    awsvpcTrunking: bool({ default: false }),
    bastion: obj({ enabled: bool(), instanceType: instanceType("t4g.nano") }, { default: { enabled: false, instanceType: "t4g.nano" } }),
  }),
  airflow: obj({
    imageTag: str("a Docker tag of up to 128 letters, digits, _ . or -, not 'latest' (ECR tags are immutable)", {
      pattern: /^(?!latest$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
    }),
    authManager: str('"fab" or "simple"', { oneOf: ["fab", "simple"], default: "fab" }),
    apiServer: component(1),
    scheduler: component(1),
    dagProcessor: component(1),
    triggerer: component(1),
    flower: obj({
      enabled: bool(),
      exposure: str('"alb" or "bastion"', { oneOf: ["alb", "bastion"], default: "bastion" }),
      ...taskSize,
    }),
  }),
  workerPools: list(
    obj({
      name: str("1-16 lowercase letters, digits or hyphens, starting with a letter", { pattern: /^[a-z][a-z0-9-]{0,15}$/ }),
      queues: list(
        str("a Celery queue name of letters, digits, _ . : or - (no commas or spaces), at most 200 characters", { pattern: /^[A-Za-z0-9_.:-]{1,200}$/ }),
        0,
        20,
      ),
      concurrency: int(1, 256),
      ...taskSize,
      minCount: int(0, 500),
      maxCount: int(1, 500),
      capacity: str('"ec2", "fargate" or "fargate-spot"', { oneOf: ["ec2", "fargate", "fargate-spot"], default: "ec2" }),
    }),
    1,
    10,
  ),
  dags: obj(
    {
      bundles: list(
        (() => {
          const common = {
            name: str("1-32 lowercase letters, digits or inner hyphens, starting with a letter (a folder, an S3 prefix and a connection id derive from it)", {
              pattern: /^[a-z](?!.*--)[a-z0-9-]{0,30}[a-z0-9]$|^[a-z]$/,
            }),
            refreshIntervalSeconds: int(10, 86400, { derived: true }),
          };
          const source = (kind: string) => str(`"${kind}"`, { oneOf: [kind] });
          return variant("source", "DAG bundle", {
            efs: obj({ source: source("efs"), ...common }),
            git: obj({
              source: source("git"),
              ...common,
              repository: str("a clone URL: https://host/owner/repo.git (without credentials) or git@host:owner/repo.git", {
                pattern: /^(https:\/\/[A-Za-z0-9.-]+(:\d+)?\/[A-Za-z0-9._~\/-]+|(ssh:\/\/)?git@[A-Za-z0-9.-]+[:\/][A-Za-z0-9._~\/-]+)$/,
              }),
              ref: str("a branch or tag name, or a full 40-character commit SHA (letters, digits, . _ / -; no ..)", {
                pattern: /^(?!.*\.\.)(?!\/)(?!.*\/$)[A-Za-z0-9._\/-]{1,200}$/,
              }),
              subdir: str("a relative folder of the repository such as dags (letters, digits, . _ / -; no ..)", {
                pattern: /^(?!.*\.\.)(?!\/)(?!.*\/$)[A-Za-z0-9._\/-]{1,200}$/,
                optional: true,
              }),
              credentialsSecretArn: str("a Secrets Manager secret ARN, e.g. arn:aws:secretsmanager:eu-west-1:123456789012:secret:airflow/dev/dags-git-AbC123", {
                pattern: /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9\/_+=.@-]+-[A-Za-z0-9]{6}$/,
                optional: true,
              }),
            }),
            s3: obj({
              source: source("s3"),
              ...common,
              prefix: str("a folder under dags/ in the DAG bucket: lowercase letters, digits, . _ - and inner slashes, no ..", {
                pattern: /^(?!.*\.\.)[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/,
                derived: true,
              }),
            }),
          });
        })(),
        1,
        10,
        { default: [{ name: "dags", source: "efs" }] },
      ),
      keepReleases: int(2, 50, { default: 5 }),
      deployRepositories: list(str("owner/repo of a GitHub repository delivering DAGs", { pattern: /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/ }), 0, 20, {
        default: [],
      }),
    },
    { default: {} },
  ),
  alb: obj({
    internetFacing: bool(),
    allowedCidrs: list(cidr, 1, 60),
    certificateArn: str("an ACM certificate ARN in the environment's account, e.g. arn:aws:acm:eu-west-1:123456789012:certificate/<uuid>", {
      pattern: /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/,
      optional: true,
    }),
    hostname: str("a DNS name such as airflow.example.com", { pattern: /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, optional: true }),
  }),
  alarms: obj({ email: str("an e-mail address", { pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, optional: true }) }, { default: {} }),
  ci: obj(
    {
      githubRepository: str("owner/repo of the GitHub repository running the pipelines", {
        pattern: /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/,
        optional: true,
      }),
      createOidcProvider: bool({ derived: true }),
    },
    { default: {} },
  ),
});
