import type { WorkerPoolConfig } from "../../../config/schema";
import { ArnBuilder } from "../../../modules/core/arn";
import { poolGrantStatements, poolsWithTaskRoles, workerPoolPermissions, type PoolWithTaskRole } from "../../../modules/iam/pool-grants";

const arns = new ArnBuilder({ account: { id: "111111111111", region: "eu-west-1" } });
const KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const none = { s3Prefixes: [], s3ReadPrefixes: [], secretsPrefixes: [], kmsKeyArns: [], managedPolicyArns: [] };
const pool = (name: string, taskRole?: PoolWithTaskRole["taskRole"]): WorkerPoolConfig => ({
  name,
  queues: [name],
  concurrency: 4,
  cpu: 1024,
  memory: 2048,
  minCount: 0,
  maxCount: 2,
  capacity: "ec2",
  ...(taskRole ? { taskRole } : {}),
});

describe("a worker pool's own grants", () => {
  it("list each bucket only under the pool's prefixes, and read-write or read objects only below them", () => {
    // GIVEN two folders of one bucket (one read-write, one read-only) and a folder of another bucket
    const statements = poolGrantStatements(arns, {
      ...none,
      s3Prefixes: ["s3://team-data/out/", "s3://team-scratch/tmp/"],
      s3ReadPrefixes: ["s3://team-data/raw/2024/"],
    });
    // THEN listing is one statement per bucket with its prefixes, objects are named by prefix, nothing is bucket-wide
    expect(statements).toEqual([
      {
        sid: "PoolListBucket1",
        actions: ["s3:ListBucket"],
        resources: ["arn:aws:s3:::team-data"],
        conditions: [{ test: "StringLike", variable: "s3:prefix", values: ["out/*", "raw/2024/*"] }],
      },
      {
        sid: "PoolListBucket2",
        actions: ["s3:ListBucket"],
        resources: ["arn:aws:s3:::team-scratch"],
        conditions: [{ test: "StringLike", variable: "s3:prefix", values: ["tmp/*"] }],
      },
      {
        sid: "PoolReadWriteObjects",
        actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
        resources: ["arn:aws:s3:::team-data/out/*", "arn:aws:s3:::team-scratch/tmp/*"],
      },
      { sid: "PoolReadObjects", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::team-data/raw/2024/*"] },
    ]);
  });

  it("read secrets under the name prefixes in the environment's account and region, and use the named keys", () => {
    expect(poolGrantStatements(arns, { ...none, secretsPrefixes: ["airflow/dev/teams/ml/"], kmsKeyArns: [KEY] })).toEqual([
      {
        sid: "PoolReadSecrets",
        actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        resources: ["arn:aws:secretsmanager:eu-west-1:111111111111:secret:airflow/dev/teams/ml/*"],
      },
      { sid: "PoolUseKeys", actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: [KEY] },
    ]);
  });

  it("compose with the worker's permissions, unchanged and first, and carry the managed policies", () => {
    // GIVEN the worker's permissions and a pool with a read prefix and a managed policy
    const worker = { description: "worker", statements: [{ sid: "WriteTaskLogs", actions: ["s3:PutObject"], resources: ["arn:aws:s3:::logs/logs/*"] }] };
    const [heavy] = poolsWithTaskRoles([
      pool("heavy", { ...none, s3ReadPrefixes: ["s3://team-data/raw/"], managedPolicyArns: ["arn:aws:iam::111111111111:policy/ml"] }),
    ]);
    // WHEN composed THEN the platform minimum comes first, then the pool's grants
    const permissions = workerPoolPermissions(worker, arns, heavy);
    expect(permissions.statements.map((s) => s.sid)).toEqual(["WriteTaskLogs", "PoolListBucket1", "PoolReadObjects"]);
    expect(permissions.statements[0]).toBe(worker.statements[0]);
    expect(permissions.managedPolicyArns).toEqual(["arn:aws:iam::111111111111:policy/ml"]);
    expect(permissions.description).toBe("Celery worker pool heavy: the worker's permissions plus the pool's own S3, secret and KMS grants");
  });

  it("apply only to the pools that declare a task role", () => {
    expect(poolsWithTaskRoles([pool("default"), pool("heavy", { ...none, kmsKeyArns: [KEY] })]).map((p) => p.name)).toEqual(["heavy"]);
  });
});
