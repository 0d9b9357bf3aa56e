import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { ElasticacheReplicationGroup, type ElasticacheReplicationGroupConfig } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import type { TerraformStack } from "cdktf";
import { redisAtRestEncryption } from "../../../../modules/rule-pack/rules/elasticache/at-rest-encryption";
import { redisAuth } from "../../../../modules/rule-pack/rules/elasticache/auth";
import { redisInTransitEncryption } from "../../../../modules/rule-pack/rules/elasticache/in-transit-encryption";
import { redisMultiAz } from "../../../../modules/rule-pack/rules/elasticache/multi-az";
import { check, DEV, PROD } from "../support";

const bare: ElasticacheReplicationGroupConfig = { replicationGroupId: "broker", description: "broker", nodeType: "cache.t4g.micro", numCacheClusters: 1 };
/** The project's production broker, its token read from Secrets Manager. */
function production(stack: TerraformStack, overrides: Partial<ElasticacheReplicationGroupConfig> = {}) {
  const token = new DataAwsSecretsmanagerSecretVersion(stack, "token", { secretId: "airflow/prod/redis-auth-token" });
  return new ElasticacheReplicationGroup(stack, "redis", {
    ...bare,
    numCacheClusters: 2,
    atRestEncryptionEnabled: "true",
    transitEncryptionEnabled: true,
    transitEncryptionMode: "required",
    authToken: token.secretString,
    automaticFailoverEnabled: true,
    multiAzEnabled: true,
    ...overrides,
  });
}

describe("CKV_AWS_29 Redis encrypted at rest", () => {
  test("Noncompliance 1: at-rest encryption not set", () => {
    // GIVEN a bare replication group
    const findings = check(redisAtRestEncryption, (stack) => new ElasticacheReplicationGroup(stack, "redis", bare));
    // THEN it is reported
    expect(findings).toEqual([
      { rule: "CKV_AWS_29", address: "aws_elasticache_replication_group.redis", message: "at_rest_encryption_enabled is not set; set true" },
    ]);
  });

  test("Compliance 1: encrypted at rest", () => {
    // GIVEN the production broker
    // THEN nothing is reported
    expect(check(redisAtRestEncryption, (stack) => production(stack))).toEqual([]);
  });
});

describe("CKV_AWS_30 Redis encrypted in transit", () => {
  test("Noncompliance 1: no TLS", () => {
    // GIVEN a bare replication group
    const findings = check(redisInTransitEncryption, (stack) => new ElasticacheReplicationGroup(stack, "redis", bare));
    // THEN it is reported
    expect(findings).toEqual([
      { rule: "CKV_AWS_30", address: "aws_elasticache_replication_group.redis", message: "transit_encryption_enabled is not set; set true" },
    ]);
  });

  test("Noncompliance 2: TLS preferred, plain text still accepted", () => {
    // GIVEN transit_encryption_mode = preferred
    const findings = check(redisInTransitEncryption, (stack) => production(stack, { transitEncryptionMode: "preferred" }));
    // THEN it is reported
    expect(findings.map((f) => f.message)).toEqual(['transit_encryption_mode is "preferred", which still accepts plain-text clients; use "required"']);
  });

  test("Compliance 1: TLS required", () => {
    // GIVEN the production broker
    // THEN nothing is reported
    expect(check(redisInTransitEncryption, (stack) => production(stack))).toEqual([]);
  });
});

describe("CKV_AWS_31 Redis requires authentication", () => {
  test("Noncompliance 1: neither token nor user groups", () => {
    // GIVEN a bare replication group
    const findings = check(redisAuth, (stack) => new ElasticacheReplicationGroup(stack, "redis", bare));
    // THEN it is reported
    expect(findings).toEqual([
      {
        rule: "CKV_AWS_31",
        address: "aws_elasticache_replication_group.redis",
        message: "neither auth_token nor user_group_ids is set; clients connect unauthenticated",
      },
    ]);
  });

  test("Compliance 1: an auth token, or RBAC user groups", () => {
    // GIVEN the production broker, and a group using user groups
    const findings = check(redisAuth, (stack) => {
      production(stack);
      new ElasticacheReplicationGroup(stack, "rbac", { ...bare, userGroupIds: ["airflow"] });
    });
    // THEN nothing is reported
    expect(findings).toEqual([]);
  });
});

describe("CKV2_AWS_50 Redis Multi-AZ failover in production", () => {
  test("Noncompliance 1: a single node in production", () => {
    // GIVEN a production environment and a one-node group
    const findings = check(redisMultiAz, (stack) => new ElasticacheReplicationGroup(stack, "redis", bare), PROD);
    // THEN each missing piece is reported
    expect(findings.map((f) => f.message)).toEqual([
      "automatic_failover_enabled is not true in a production environment",
      "multi_az_enabled is not true in a production environment",
      "num_cache_clusters is 1; production needs a replica (2 or more)",
    ]);
  });

  test("Compliance 1: failover across AZs in production, a single node in dev", () => {
    // GIVEN both environments
    // THEN nothing is reported
    expect(check(redisMultiAz, (stack) => production(stack), PROD)).toEqual([]);
    expect(check(redisMultiAz, (stack) => new ElasticacheReplicationGroup(stack, "redis", bare), DEV)).toEqual([]);
  });
});
