import type { EnvironmentConfig } from "../../config/schema";
import { DATABASE_PARAMETERS, restoredIdentifier } from "../../modules/storage/metadata-database";
import { environmentStacks, only, repoEnvironment, repoEnvironments, resources, snapshotText, stackJson, synthJson } from "../support/synth";

const byName = (all: Record<string, Record<string, any>>, predicate: (r: Record<string, any>) => boolean) => Object.values(all).find(predicate)!;

describe.each(repoEnvironments().map((c) => [c.name, c] as const))("StorageStack (%s)", (_name, config) => {
  const json = stackJson(config.name, "storage");
  const all = (type: string) => Object.values(resources(json, type)) as Record<string, any>[];
  const { database, redis } = config.storage;

  it("matches the reviewed snapshot", () => {
    expect(snapshotText(json)).toMatchSnapshot();
  });

  it("reads the network contract through one remote state", () => {
    expect(json.data?.terraform_remote_state).toEqual({
      network_contract: { backend: "s3", config: { bucket: config.state.bucket, key: `${config.name}/network.tfstate`, region: config.state.region } },
    });
  });

  describe("metadata database", () => {
    const db = only(json, "aws_db_instance") as Record<string, any>;

    it("is private, encrypted with the data key and in the database security group", () => {
      expect(db).toMatchObject({
        engine: "postgres",
        engine_version: database.engineVersion,
        publicly_accessible: false,
        storage_encrypted: true,
        kms_key_id: expect.stringContaining("aws_kms_key.data-key"),
        vpc_security_group_ids: ["${data.terraform_remote_state.network_contract.outputs.database_security_group_id}"],
      });
      expect(only(json, "aws_db_subnet_group").subnet_ids).toBe("${data.terraform_remote_state.network_contract.outputs.private_subnet_ids}");
    });

    it("lets RDS generate and keep the master password in Secrets Manager, rotated on the configured schedule", () => {
      expect(db).toMatchObject({ manage_master_user_password: true, master_user_secret_kms_key_id: expect.stringContaining("aws_kms_key.data-key") });
      expect(db.password).toBeUndefined();
      expect(only(json, "aws_secretsmanager_secret_rotation")).toMatchObject({
        secret_id: expect.stringContaining("master_user_secret[0].secret_arn"),
        rotate_immediately: false,
        rotation_rules: { automatically_after_days: database.masterSecretRotationDays },
      });
    });

    it(`uses Multi-AZ=${database.multiAz}, ${database.backupRetentionDays}-day backups and deletion protection=${database.deletionProtection}`, () => {
      expect(db).toMatchObject({
        multi_az: database.multiAz,
        backup_retention_period: database.backupRetentionDays,
        deletion_protection: database.deletionProtection,
        skip_final_snapshot: !database.deletionProtection,
        copy_tags_to_snapshot: true,
        auto_minor_version_upgrade: true,
        allow_major_version_upgrade: false,
      });
      if (database.deletionProtection) expect(db.final_snapshot_identifier).toBe(`${config.namePrefix}-${config.name}-metadata-final`);
    });

    it("forces TLS and logs slow statements and DDL through its parameter group", () => {
      const group = only(json, "aws_db_parameter_group") as Record<string, any>;
      expect(group.family).toBe(`postgres${database.engineVersion.split(".")[0]}`);
      expect(Object.fromEntries(group.parameter.map((p: any) => [p.name, p.value]))).toEqual(DATABASE_PARAMETERS);
      expect(DATABASE_PARAMETERS["rds.force_ssl"]).toBe("1");
    });

    it("exports its logs to encrypted log groups with retention, and has enhanced monitoring", () => {
      expect(db.enabled_cloudwatch_logs_exports).toEqual(["postgresql", "upgrade"]);
      const groups = all("aws_cloudwatch_log_group").filter((g) => String(g.name).startsWith("/aws/rds/instance/"));
      expect(groups.map((g) => [g.name, g.retention_in_days])).toEqual(
        ["postgresql", "upgrade"].map((t) => [`/aws/rds/instance/${config.namePrefix}-${config.name}-metadata/${t}`, config.storage.logRetentionDays]),
      );
      expect(db).toMatchObject({ monitoring_interval: 60, ca_cert_identifier: "rds-ca-rsa2048-g1" });
    });

    it(`${database.performanceInsights ? "enables" : "leaves off"} Performance Insights`, () => {
      expect(db.performance_insights_enabled).toBe(database.performanceInsights);
      expect(db.performance_insights_kms_key_id !== undefined).toBe(database.performanceInsights);
    });
  });

  describe("Celery broker", () => {
    const group = only(json, "aws_elasticache_replication_group") as Record<string, any>;

    it("is a non-cluster replication group encrypted in transit (rediss://) and at rest", () => {
      expect(group).toMatchObject({
        engine: "redis",
        cluster_mode: "disabled",
        transit_encryption_enabled: true,
        transit_encryption_mode: "required",
        at_rest_encryption_enabled: "true",
        kms_key_id: expect.stringContaining("aws_kms_key.data-key"),
        num_cache_clusters: redis.nodeCount,
      });
    });

    it("takes its auth token from the generated secret, never a literal", () => {
      expect(group.auth_token).toMatch(/^\$\{data\.aws_secretsmanager_secret_version\..*\.secret_string\}$/);
    });

    it(`${redis.nodeCount > 1 ? "fails over automatically across AZs" : "runs a single node"} with ${redis.snapshotRetentionDays}-day snapshots`, () => {
      expect(group).toMatchObject({
        automatic_failover_enabled: redis.nodeCount > 1,
        multi_az_enabled: redis.nodeCount > 1,
        snapshot_retention_limit: redis.snapshotRetentionDays,
      });
    });

    it("never evicts broker keys", () => {
      expect(only(json, "aws_elasticache_parameter_group").parameter).toEqual([{ name: "maxmemory-policy", value: "noeviction" }]);
    });
  });

  describe("DAG file system", () => {
    it("is encrypted and backed up, with a mount target in every private subnet", () => {
      expect(only(json, "aws_efs_file_system")).toMatchObject({ encrypted: true, kms_key_id: expect.stringContaining("aws_kms_key.data-key") });
      expect(only(json, "aws_efs_backup_policy").backup_policy).toEqual({ status: "ENABLED" });
      expect(
        all("aws_efs_mount_target")
          .map((m) => m.subnet_id)
          .sort(),
      ).toEqual(
        Array.from(
          { length: config.network.azCount },
          (_, i) => `\${element(data.terraform_remote_state.network_contract.outputs.private_subnet_ids, ${i})}`,
        ).sort(),
      );
    });

    it("pins each access point's root directory and the Airflow user (50000:0)", () => {
      expect(
        all("aws_efs_access_point")
          .map((a) => [a.root_directory.path, a.posix_user, a.root_directory.creation_info])
          .sort(),
      ).toEqual([
        ["/airflow/dags", { uid: 50000, gid: 0 }, { owner_uid: 50000, owner_gid: 0, permissions: "0775" }],
        ["/airflow/plugins", { uid: 50000, gid: 0 }, { owner_uid: 50000, owner_gid: 0, permissions: "0775" }],
      ]);
    });

    it("denies plain NFS, root access and mounts that bypass the access points", () => {
      const policy = JSON.parse(only(json, "aws_efs_file_system_policy").policy as string);
      expect(policy.Statement.map((s: any) => [s.Sid, s.Effect, s.Condition ?? null])).toEqual([
        ["DenyInsecureTransport", "Deny", { Bool: { "aws:SecureTransport": ["false"] } }],
        ["DenyRootAccess", "Deny", null],
        ["DenyMountsWithoutAccessPoint", "Deny", { Null: { "elasticfilesystem:AccessPointArn": ["true"] } }],
      ]);
    });
  });

  describe("buckets", () => {
    const bucket = (part: string) =>
      byName(resources(json, "aws_s3_bucket"), (b) => b.bucket === `${config.namePrefix}-${config.name}-${part}-${config.account.id}`);
    const of = (type: string, part: string) => byName(resources(json, type), (r) => JSON.stringify(r.bucket).includes(`${part}_bucket`));

    it("blocks public access, enforces bucket-owner ownership and versions every bucket", () => {
      for (const part of ["task-logs", "alb-logs", "s3-access-logs"]) {
        expect(bucket(part)).toBeDefined();
        expect(of("aws_s3_bucket_public_access_block", part)).toMatchObject({
          block_public_acls: true,
          block_public_policy: true,
          ignore_public_acls: true,
          restrict_public_buckets: true,
        });
        expect(of("aws_s3_bucket_ownership_controls", part).rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
        expect(of("aws_s3_bucket_versioning", part).versioning_configuration).toEqual({ status: "Enabled" });
        const policy = JSON.parse(of("aws_s3_bucket_policy", part).policy);
        expect(policy.Statement[0]).toMatchObject({ Sid: "DenyInsecureTransport", Effect: "Deny" });
      }
    });

    it("encrypts task logs with the data key and expires them after the configured days", () => {
      expect(of("aws_s3_bucket_server_side_encryption_configuration", "task-logs").rule[0].apply_server_side_encryption_by_default).toEqual({
        sse_algorithm: "aws:kms",
        kms_master_key_id: expect.stringContaining("aws_kms_key.data-key"),
      });
      expect(of("aws_s3_bucket_lifecycle_configuration", "task-logs").rule).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: "expire-objects", expiration: [{ days: config.storage.taskLogExpirationDays }] }),
          expect.objectContaining({ id: "abort-incomplete-uploads", abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }] }),
        ]),
      );
    });

    it("keeps ALB logs in an SSE-S3 bucket the region's load balancers may write to", () => {
      expect(of("aws_s3_bucket_server_side_encryption_configuration", "alb-logs").rule[0].apply_server_side_encryption_by_default).toEqual({
        sse_algorithm: "AES256",
      });
      const delivery = JSON.parse(of("aws_s3_bucket_policy", "alb-logs").policy).Statement.find((s: any) => s.Sid === "AlbAccessLogDelivery");
      expect(delivery).toMatchObject({ Action: ["s3:PutObject"], Principal: { AWS: ["arn:aws:iam::156460612806:root"] } });
      expect(delivery.Resource[0]).toMatch(new RegExp(`/alb/AWSLogs/${config.account.id}/\\*$`));
    });

    it("keeps DAG code in a versioned, KMS-encrypted, TLS-only bucket whose current objects never expire", () => {
      // GIVEN the DAG bucket (S3 bundles under dags/, EFS releases under releases/)
      expect(bucket("dags")).toBeDefined();
      // THEN it is private, versioned, encrypted with the data key and denies plain HTTP and old TLS
      expect(of("aws_s3_bucket_public_access_block", "dag-code")).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      expect(of("aws_s3_bucket_versioning", "dag-code").versioning_configuration).toEqual({ status: "Enabled" });
      expect(of("aws_s3_bucket_server_side_encryption_configuration", "dag-code").rule[0]).toEqual({
        apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: expect.stringContaining("aws_kms_key.data-key") },
        bucket_key_enabled: true,
      });
      expect(JSON.parse(of("aws_s3_bucket_policy", "dag-code").policy).Statement.map((st: any) => st.Sid)).toEqual([
        "DenyInsecureTransport",
        "DenyOutdatedTls",
      ]);
      // AND DAG code is kept: only overwritten versions expire (30 days), access is logged
      const rules = of("aws_s3_bucket_lifecycle_configuration", "dag-code").rule as any[];
      expect(rules.map((r) => r.id)).toEqual(["abort-incomplete-uploads", "expire-noncurrent-versions", "remove-expired-delete-markers"]);
      expect(rules[1].noncurrent_version_expiration).toEqual([{ noncurrent_days: 30 }]);
      expect(of("aws_s3_bucket_logging", "dag-code")).toMatchObject({ target_prefix: "dags/" });
    });

    it(`${config.production ? "protects" : "allows teardown of"} non-empty buckets`, () => {
      expect(bucket("task-logs").force_destroy).toBe(!config.production);
    });
  });

  describe("shared secrets", () => {
    const secrets = all("aws_secretsmanager_secret");
    const versions = all("aws_secretsmanager_secret_version");

    it("creates every shared secret under the environment's prefix, encrypted with the data key", () => {
      expect(secrets.map((s) => s.name).sort()).toEqual(
        ["admin-password", "api-secret-key", "fernet-key", "flower-basic-auth", "jwt-secret", "redis-auth-token", "variables/heartbeat_probe"]
          .map((n) => `${config.namePrefix}/${config.name}/${n}`)
          .sort(),
      );
      expect(secrets.every((s) => String(s.kms_key_id).includes("aws_kms_key.data-key"))).toBe(true);
      expect(secrets.every((s) => s.recovery_window_in_days === (config.production ? 30 : 7))).toBe(true);
    });

    it("writes generated values only through write-only attributes, so no value reaches the plan or state", () => {
      expect(versions.every((v) => v.secret_string === undefined && v.secret_binary === undefined)).toBe(true);
      expect(
        versions.every(
          (v) => /\$\{ephemeral\.aws_secretsmanager_random_password\.\w+\.random_password\}/.test(v.secret_string_wo) && v.secret_string_wo_version === 1,
        ),
      ).toBe(true);
      expect(Object.values(json.ephemeral?.aws_secretsmanager_random_password ?? {})).toHaveLength(versions.length);
    });

    it("shapes the Fernet key as 43 alphanumerics plus '=' (32 bytes, url-safe base64)", () => {
      const fernet = versions.find((v) => String(v.secret_id).includes("fernet-key"))!;
      expect(fernet.secret_string_wo).toMatch(/\.random_password\}=$/);
      const generator = /ephemeral\.aws_secretsmanager_random_password\.(\w+)\./.exec(fernet.secret_string_wo)![1];
      expect(json.ephemeral!.aws_secretsmanager_random_password[generator]).toEqual({ password_length: 43, exclude_punctuation: true, include_space: false });
    });
  });

  it("publishes endpoints, ids and ARNs only: no output carries a secret value", () => {
    // Every output is a reference to an identifying attribute, never to a value attribute such as secret_string.
    const NON_SECRET = /\.(arn|id|bucket|address|identifier|secret_arn|db_name|port|primary_endpoint_address|replication_group_id)\}$/;
    expect(Object.entries(json.output ?? {}).filter(([, o]) => !NON_SECRET.test(String(o.value)))).toEqual([]);
    expect(Object.values(json.output ?? {}).every((o) => o.description && !o.sensitive)).toBe(true);
  });
});

describe("production and development storage differ where it matters", () => {
  const prod = stackJson("prod", "storage");
  const dev = stackJson("dev", "storage");
  const db = (json: typeof prod) => only(json, "aws_db_instance") as Record<string, any>;
  const redis = (json: typeof prod) => only(json, "aws_elasticache_replication_group") as Record<string, any>;

  it("prod: Multi-AZ, protected, Performance Insights, replicated broker with snapshots; dev: none of these", () => {
    expect([
      db(prod).multi_az,
      db(prod).deletion_protection,
      db(prod).performance_insights_enabled,
      redis(prod).automatic_failover_enabled,
      redis(prod).snapshot_retention_limit > 0,
    ]).toEqual([true, true, true, true, true]);
    expect([
      db(dev).multi_az,
      db(dev).deletion_protection,
      db(dev).performance_insights_enabled,
      redis(dev).automatic_failover_enabled,
      redis(dev).snapshot_retention_limit > 0,
    ]).toEqual([false, false, false, false, false]);
    expect(db(prod).backup_retention_period).toBeGreaterThanOrEqual(7);
  });
});

describe("StorageStack restoring a pre-migration snapshot (prod)", () => {
  const SNAPSHOT = "airflow-prod-metadata-pre-3-2-0-1-202601150930";
  const prod = repoEnvironment("prod");
  const restoring = { ...prod, storage: { ...prod.storage, database: { ...prod.storage.database, restoreFromSnapshot: SNAPSHOT } } } as EnvironmentConfig;
  const before = stackJson("prod", "storage");
  const json = synthJson(environmentStacks(restoring).storage) as ReturnType<typeof stackJson> & { removed?: unknown[] };
  const instanceOf = (stack: typeof before) => Object.entries(resources(stack, "aws_db_instance"))[0];

  it("restores into a new instance and publishes it to every consumer through the contract", () => {
    const [address, db] = instanceOf(json);
    const identifier = restoredIdentifier("airflow-prod-metadata", SNAPSHOT);
    expect(db).toMatchObject({ identifier, snapshot_identifier: SNAPSHOT, deletion_protection: true, multi_az: true });
    expect(json.output?.db_instance_identifier.value).toBe(`\${aws_db_instance.${address}.identifier}`);
    expect(json.output?.db_address.value).toBe(`\${aws_db_instance.${address}.address}`);
    expect(json.output?.db_master_secret_arn.value).toBe(`\${aws_db_instance.${address}.master_user_secret[0].secret_arn}`);
  });

  it("keeps the original instance running: it and its log groups leave the state, not the account, and nothing else moves", () => {
    const [original] = instanceOf(before);
    const originalLogs = Object.keys(resources(before, "aws_cloudwatch_log_group"))
      .filter((id) => id.startsWith("database_"))
      .map((id) => `aws_cloudwatch_log_group.${id}`);
    expect(json.removed).toEqual([...originalLogs, `aws_db_instance.${original}`].map((from) => ({ from, lifecycle: { destroy: false } })));
    const others = (stack: typeof before) =>
      Object.entries(stack.resource ?? {})
        .flatMap(([type, all]) => Object.keys(all).map((id) => `${type}.${id}`))
        .filter((address) => !/^aws_db_instance\.|^aws_cloudwatch_log_group\.database_/.test(address))
        .sort();
    expect(others(json)).toEqual(others(before));
  });
});

describe.each(repoEnvironments().map((c) => [c.name, c] as const))("StorageStack migration record (%s)", (_name, config) => {
  it("creates the parameter the migrate task writes and npm run migrate reads", () => {
    const parameter = only(stackJson(config.name, "storage"), "aws_ssm_parameter") as Record<string, any>;
    expect(parameter).toMatchObject({
      name: `/${config.namePrefix}/${config.name}/airflow/migration-record`,
      type: "String",
      lifecycle: { ignore_changes: ["value"] },
    });
  });
});
