import * as fs from "fs";
import * as path from "path";
import { ConfigError, ENVIRONMENTS_DIR, parseEnvironment } from "../../config/load";

/** A valid environment file (the repository's dev), as raw JSON to mutate. */
function devFile(): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "dev.json"), "utf8"));
}

function prodFile(): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "prod.json"), "utf8"));
}

/** Parses `raw` as config/environments/<name>.json and returns the problems reported (none when valid). */
function problems(raw: Record<string, any>): string[] {
  try {
    parseEnvironment(`config/environments/${raw.name}.json`, JSON.stringify(raw));
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [...error.problems];
  }
}

function rejectedWith(mutate: (raw: Record<string, any>) => void, base: () => Record<string, any> = devFile): string[] {
  const raw = base();
  mutate(raw);
  return problems(raw);
}

describe("environment validation", () => {
  it("accepts every environment in the repository", () => {
    for (const file of fs.readdirSync(ENVIRONMENTS_DIR)) {
      expect(problems(JSON.parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, file), "utf8")))).toEqual([]);
    }
  });

  it("rejects an invalid VPC CIDR, naming environment, field, value and what is allowed", () => {
    // GIVEN a VPC CIDR with a /33 prefix
    const found = rejectedWith((raw) => (raw.network.vpcCidr = "10.10.0.0/33"));
    // THEN the message names the file, environment, field, bad value and the allowed form
    expect(found).toEqual([
      'config/environments/dev.json: environment "dev": network.vpcCidr = "10.10.0.0/33" is not a valid IPv4 CIDR (octets 0-255, prefix 0-32, no host bits set); expected e.g. 10.20.0.0/16',
    ]);
  });

  it("rejects a CIDR with host bits set and a VPC outside /16-/20", () => {
    expect(rejectedWith((raw) => (raw.network.vpcCidr = "10.10.1.0/16"))[0]).toContain('network.vpcCidr = "10.10.1.0/16" is not a valid IPv4 CIDR');
    expect(rejectedWith((raw) => (raw.network.vpcCidr = "10.10.0.0/24"))[0]).toContain("has a prefix outside /16-/20");
  });

  it("rejects overlapping subnets", () => {
    const found = rejectedWith((raw) => (raw.network.subnets = { public: ["10.10.0.0/24", "10.10.1.0/24"], private: ["10.10.0.0/20", "10.10.16.0/20"] }));
    expect(found).toEqual([
      'config/environments/dev.json: environment "dev": network.subnets.private[0] = "10.10.0.0/20" overlaps network.subnets.public[0] (10.10.0.0/24); expected non-overlapping subnets',
      'config/environments/dev.json: environment "dev": network.subnets.private[0] = "10.10.0.0/20" overlaps network.subnets.public[1] (10.10.1.0/24); expected non-overlapping subnets',
    ]);
  });

  it("rejects a subnet outside the VPC and a subnet list that does not match the AZ count", () => {
    const found = rejectedWith(
      (raw) => (raw.network.subnets = { public: ["10.10.200.0/24", "10.99.0.0/24"], private: ["10.10.0.0/20", "10.10.16.0/20", "10.10.32.0/20"] }),
    );
    expect(found).toEqual([
      expect.stringContaining('network.subnets.public[1] = "10.99.0.0/24" is outside the VPC 10.10.0.0/16'),
      expect.stringContaining(
        'network.subnets.private = ["10.10.0.0/20","10.10.16.0/20","10.10.32.0/20"] has 3 entries but network.azCount is 2; expected one subnet per AZ',
      ),
    ]);
  });

  it("rejects fewer than two AZs", () => {
    expect(rejectedWith((raw) => (raw.network.azCount = 1))).toEqual([
      'config/environments/dev.json: environment "dev": network.azCount = 1 is out of range; expected an integer from 2 to 6',
    ]);
  });

  it("rejects AZs outside the environment's region", () => {
    expect(rejectedWith((raw) => (raw.network.availabilityZones = ["eu-west-1a", "us-east-1b"]))).toEqual([
      expect.stringContaining('network.availabilityZones[1] = "us-east-1b" is not an AZ of region eu-west-1'),
    ]);
  });

  it("rejects min > max for the ASG and for a worker pool", () => {
    expect(rejectedWith((raw) => Object.assign(raw.compute, { minInstances: 5, maxInstances: 3 }))).toEqual([
      expect.stringContaining("compute.minInstances = 5 is greater than compute.maxInstances (3); expected minInstances <= maxInstances"),
    ]);
    expect(rejectedWith((raw) => Object.assign(raw.workerPools[1], { minCount: 3, maxCount: 2 }))).toEqual([
      expect.stringContaining("workerPools[1].minCount = 3 is greater than workerPools[1].maxCount (2); expected minCount <= maxCount"),
    ]);
  });

  it("rejects a queue consumed by two pools", () => {
    expect(rejectedWith((raw) => (raw.workerPools[1].queues = ["heavy", "default"]))).toEqual([
      'config/environments/dev.json: environment "dev": workerPools[1].queues[1] = "default" is already consumed by pool "default"; expected each queue in exactly one pool (queue-depth scaling counts a queue once)',
    ]);
  });

  it("rejects a pool without queues", () => {
    expect(rejectedWith((raw) => (raw.workerPools[1].queues = []))).toEqual([
      'config/environments/dev.json: environment "dev": workerPools[1].queues = [] is empty; a worker pool must consume at least one Celery queue',
    ]);
  });

  it("rejects pools that leave the default queue unconsumed", () => {
    expect(rejectedWith((raw) => (raw.workerPools[0].queues = ["light"]))).toEqual([
      expect.stringContaining('workerPools = ["default","heavy"] has no pool consuming the "default" queue'),
    ]);
  });

  it("rejects an unknown region format", () => {
    expect(rejectedWith((raw) => (raw.account.region = "europe-west1"))).toEqual([
      'config/environments/dev.json: environment "dev": account.region = "europe-west1" is not allowed; expected an AWS region name such as eu-west-1 or us-east-2',
    ]);
  });

  it("rejects a bad name prefix", () => {
    for (const prefix of ["Airflow", "a", "airflow-", "air--flow", "waytoolongprefix"]) {
      expect(rejectedWith((raw) => (raw.namePrefix = prefix))).toEqual([
        `config/environments/dev.json: environment "dev": namePrefix = "${prefix}" is not allowed; expected 2-12 lowercase letters, digits or inner hyphens, starting with a letter (e.g. airflow)`,
      ]);
    }
  });

  it("rejects an account id that is not 12 digits", () => {
    expect(rejectedWith((raw) => (raw.account.id = "12345"))[0]).toContain('account.id = "12345" is not allowed; expected a 12-digit AWS account id');
  });

  it("rejects a Fargate pool whose size Fargate does not offer", () => {
    expect(rejectedWith((raw) => Object.assign(raw.workerPools[0], { cpu: 1024, memory: 1536 }))[0]).toContain(
      'workerPools[0].memory = {"cpu":1024,"memory":1536} is not a Fargate task size; expected cpu 256: 512/1024/2048',
    );
  });

  it("rejects an EC2 task that does not fit on the container instance type", () => {
    expect(rejectedWith((raw) => (raw.airflow.scheduler.memory = 16384))[0]).toContain("airflow.scheduler.memory = 16384 does not fit on a m7i.large host");
  });

  it("rejects an arm64 container instance type", () => {
    expect(rejectedWith((raw) => (raw.compute.instanceType = "m7g.large"))[0]).toContain('compute.instanceType = "m7g.large" is an arm64 (Graviton) type');
  });

  it("rejects a certificate from another region or account", () => {
    const found = rejectedWith((raw) => (raw.alb.certificateArn = "arn:aws:acm:us-east-1:999999999999:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"));
    expect(found).toEqual([
      expect.stringContaining("is in region us-east-1; expected a certificate in eu-west-1"),
      expect.stringContaining("belongs to account 999999999999; expected a certificate of account 111111111111"),
    ]);
  });

  it("rejects an invalid ALB allowed CIDR", () => {
    expect(rejectedWith((raw) => (raw.alb.allowedCidrs = ["10.0.0.0/8", "300.0.0.0/8"]))[0]).toContain(
      'alb.allowedCidrs[1] = "300.0.0.0/8" is not a valid IPv4 CIDR',
    );
  });

  it("rejects a storage ceiling below the allocated storage", () => {
    expect(rejectedWith((raw) => (raw.storage.database.maxAllocatedStorageGb = 10))[0]).toContain(
      "storage.database.maxAllocatedStorageGb = 10 is out of range; expected an integer from 20 to 65536",
    );
    expect(rejectedWith((raw) => (raw.storage.database.maxAllocatedStorageGb = 20), prodFile)[0]).toContain(
      "is below storage.database.allocatedStorageGb (100)",
    );
  });

  it("rejects a log retention CloudWatch does not offer", () => {
    expect(rejectedWith((raw) => (raw.storage.logRetentionDays = 10))[0]).toContain(
      "storage.logRetentionDays = 10 is out of range; expected one of 1, 3, 5, 7, 14, 30",
    );
  });

  it("rejects the latest image tag", () => {
    expect(rejectedWith((raw) => (raw.airflow.imageTag = "latest"))[0]).toContain('airflow.imageTag = "latest" is not allowed');
  });

  describe("production minimums", () => {
    it.each([
      ["network.natGateways", (raw: any) => (raw.network.natGateways = "single"), '"per-az"'],
      ["storage.database.multiAz", (raw: any) => (raw.storage.database.multiAz = false), "true"],
      ["storage.database.backupRetentionDays", (raw: any) => (raw.storage.database.backupRetentionDays = 3), "at least 7 days"],
      ["storage.database.deletionProtection", (raw: any) => (raw.storage.database.deletionProtection = false), "true"],
      ["storage.database.performanceInsights", (raw: any) => (raw.storage.database.performanceInsights = false), "true"],
      ["storage.redis.nodeCount", (raw: any) => (raw.storage.redis.nodeCount = 1), "at least 2 nodes"],
      ["storage.redis.snapshotRetentionDays", (raw: any) => (raw.storage.redis.snapshotRetentionDays = 0), "at least 1 day"],
      ["airflow.apiServer.desiredCount", (raw: any) => (raw.airflow.apiServer.desiredCount = 1), "at least 2 replicas"],
      ["airflow.scheduler.desiredCount", (raw: any) => (raw.airflow.scheduler.desiredCount = 1), "at least 2 replicas"],
      ["airflow.auth.kind", (raw: any) => (raw.airflow.auth = { kind: "simple" }), '"fab" or "oidc"'],
      ["alarms.email", (raw: any) => delete raw.alarms.email, "an e-mail address"],
      ["alb.certificateArn", (raw: any) => delete raw.alb.certificateArn, "an ACM certificate ARN"],
    ])("require %s", (field, mutate, expected) => {
      const found = rejectedWith(mutate, prodFile);
      expect(found).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^config/environments/prod.json: environment "prod": ${field.replace(/\./g, "\\.")} = .* is not allowed in a production environment; expected ${expected.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`,
          ),
        ),
      );
    });
  });

  describe("alarm subscriptions", () => {
    const subscribe =
      (...subscriptions: object[]) =>
      (raw: any) =>
        (raw.alarms.subscriptions = subscriptions);
    const at = (i: number) => `config/environments/dev.json: environment "dev": alarms.subscriptions[${i}].endpoint = `;

    it("accepts an https webhook, e-mail, and a queue and a function of the environment's account", () => {
      expect(
        rejectedWith(
          subscribe(
            { protocol: "https", endpoint: "https://hooks.example.com/sns?team=data", messages: "task-failures" },
            { protocol: "email", endpoint: "data-team@example.com", messages: "alarms" },
            { protocol: "sqs", endpoint: "arn:aws:sqs:eu-west-1:111111111111:airflow-events" },
            { protocol: "lambda", endpoint: "arn:aws:lambda:eu-west-1:111111111111:function:pager:live" },
          ),
        ),
      ).toEqual([]);
    });

    it.each([
      [
        "https",
        "http://hooks.example.com/sns",
        "is not an https URL; expected e.g. https://hooks.example.com/sns for protocol https (SNS delivers only over TLS here)",
      ],
      ["https", "hooks.example.com", "is not an https URL; expected e.g. https://hooks.example.com/sns for protocol https (SNS delivers only over TLS here)"],
      ["email", "https://example.com", "is not an e-mail address; expected e.g. oncall@example.com for protocol email"],
      ["sqs", "arn:aws:sns:eu-west-1:111111111111:topic", "is not an SQS queue ARN; expected arn:aws:sqs:<region>:111111111111:<queue>"],
      ["sqs", "arn:aws:sqs:eu-west-1:222222222222:queue", "belongs to account 222222222222; expected a queue of account 111111111111"],
      ["lambda", "arn:aws:lambda:eu-west-1:111111111111:pager", "is not a Lambda function ARN; expected arn:aws:lambda:<region>:111111111111:function:<name>"],
    ])("rejects a %s endpoint %s, naming the field and what is allowed", (protocol, endpoint, problem) => {
      const found = rejectedWith(subscribe({ protocol, endpoint }));
      expect(found).toEqual([`${at(0)}${JSON.stringify(endpoint)} ${problem}`]);
    });

    it("rejects an endpoint subscribed twice, or again besides alarms.email", () => {
      const found = rejectedWith(
        subscribe(
          { protocol: "email", endpoint: "airflow-dev-alerts@example.com" },
          { protocol: "https", endpoint: "https://hooks.example.com/a" },
          { protocol: "https", endpoint: "https://hooks.example.com/a", messages: "alarms" },
        ),
      );
      expect(found).toEqual([
        `${at(0)}"airflow-dev-alerts@example.com" is already subscribed by alarms.email; expected each endpoint once`,
        `${at(2)}"https://hooks.example.com/a" is already subscribed by alarms.subscriptions[1]; expected each endpoint once`,
      ]);
    });

    it("rejects an unknown protocol or message filter by the field's own check", () => {
      const found = rejectedWith(subscribe({ protocol: "slack", endpoint: "xyz", messages: "some" }));
      expect(found).toEqual([
        'config/environments/dev.json: environment "dev": alarms.subscriptions[0].protocol = "slack" is not allowed; expected "email", "https", "sqs" or "lambda"',
        'config/environments/dev.json: environment "dev": alarms.subscriptions[0].messages = "some" is not allowed; expected "all", "alarms" or "task-failures"',
      ]);
    });
  });

  describe("database hygiene and restore", () => {
    it("keeps 90 days of metadata in production and 30 elsewhere unless told otherwise", () => {
      const dev = parseEnvironment("config/environments/dev.json", JSON.stringify(devFile()));
      const prod = parseEnvironment("config/environments/prod.json", JSON.stringify(prodFile()));
      expect([dev.storage.database.cleanup.retentionDays, prod.storage.database.cleanup.retentionDays]).toEqual([30, 90]);
      const raw = devFile();
      raw.storage.database.cleanup = { retentionDays: 14, archive: "last-run" };
      const told = parseEnvironment("config/environments/dev.json", JSON.stringify(raw));
      expect(told.storage.database.cleanup).toEqual({
        enabled: true,
        retentionDays: 14,
        schedule: "cron(45 4 * * ? *)",
        archive: "last-run",
        batchSize: 10000,
        timeoutMinutes: 240,
      });
    });

    it.each([
      ["schedule", "every day", "an EventBridge Scheduler expression: cron(...) or rate(...)"],
      ["schedule", "rate(5 minutes)", "an EventBridge Scheduler expression: cron(...) or rate(...)"],
      ["retentionDays", 3, "an integer from 7 to 3650"],
    ])("rejects cleanup.%s = %s", (field, value, expected) => {
      const found = rejectedWith((raw) => (raw.storage.database.cleanup = { [field]: value }));
      expect(found).toEqual([expect.stringContaining(`storage.database.cleanup.${field} = ${JSON.stringify(value)} `)]);
      expect(found[0]).toContain(expected);
    });

    it.each(["9-lives", "double--hyphen", "ends-with-", "has_underscore", ""])("rejects the snapshot identifier %j", (id) => {
      const found = rejectedWith((raw) => (raw.storage.database.restoreFromSnapshot = id));
      expect(found).toEqual([
        expect.stringContaining(`storage.database.restoreFromSnapshot = ${JSON.stringify(id)} is not allowed; expected an RDS snapshot identifier`),
      ]);
    });
  });
});
