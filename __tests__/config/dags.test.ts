import * as fs from "fs";
import * as path from "path";
import { ConfigError, ENVIRONMENTS_DIR, parseEnvironment } from "../../config/load";
import type { EnvironmentConfig } from "../../config/schema";

/** The `dags` field: DAG bundles from EFS, Git or S3, their defaults and every rule with its message. */

const SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:airflow/dev/dags-git-AbC123";

function devWith(dags: unknown): Record<string, unknown> {
  const raw = JSON.parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "dev.json"), "utf8"));
  raw.dags = dags;
  return raw;
}

function parse(raw: Record<string, unknown>): EnvironmentConfig {
  return parseEnvironment("config/environments/dev.json", JSON.stringify(raw));
}

function problems(dags: unknown): string[] {
  try {
    parse(devWith(dags));
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [...error.problems];
  }
}

const where = 'config/environments/dev.json: environment "dev": ';

describe("dags defaults", () => {
  it("is one EFS bundle named dags when the field is absent", () => {
    // GIVEN an environment without a dags field
    const raw = devWith(undefined);
    delete raw.dags;
    // THEN the environment gets the EFS bundle, 5 kept releases and no deploy repositories
    expect(parse(raw).dags).toEqual({
      bundles: [{ name: "dags", source: "efs", refreshIntervalSeconds: 60, maxRefreshSeconds: 0 }],
      keepReleases: 5,
      deployRepositories: [],
    });
  });

  it("fills each source's refresh interval and the S3 prefix from the bundle name", () => {
    const config = parse(
      devWith({
        bundles: [
          { name: "team", source: "efs" },
          { name: "platform", source: "git", repository: "https://github.com/example-org/platform-dags.git", ref: "v1.2.0" },
          { name: "analytics", source: "s3" },
          { name: "ml", source: "s3", prefix: "ml/prod", refreshIntervalSeconds: 120 },
        ],
      }),
    );
    expect(config.dags.bundles).toEqual([
      { name: "team", source: "efs", refreshIntervalSeconds: 60, maxRefreshSeconds: 0 },
      {
        name: "platform",
        source: "git",
        repository: "https://github.com/example-org/platform-dags.git",
        ref: "v1.2.0",
        refreshIntervalSeconds: 300,
        maxRefreshSeconds: 120,
      },
      { name: "analytics", source: "s3", prefix: "analytics", refreshIntervalSeconds: 300, maxRefreshSeconds: 120 },
      { name: "ml", source: "s3", prefix: "ml/prod", refreshIntervalSeconds: 120, maxRefreshSeconds: 120 },
    ]);
  });
});

describe("dags validation", () => {
  describe("any source", () => {
    it("rejects a bundle without a source, naming the allowed sources", () => {
      expect(problems({ bundles: [{ name: "team" }] })).toEqual([`${where}dags.bundles[0].source = (missing) is required; expected one of "efs", "git", "s3"`]);
    });

    it("rejects an unknown source", () => {
      expect(problems({ bundles: [{ name: "team", source: "nfs" }] })).toEqual([
        `${where}dags.bundles[0].source = "nfs" is not allowed; expected one of "efs", "git", "s3"`,
      ]);
    });

    it("rejects a field of another source (an EFS bundle has no repository)", () => {
      expect(problems({ bundles: [{ name: "team", source: "efs", repository: "https://github.com/a/b.git" }] })).toEqual([
        `${where}dags.bundles[0].repository = "https://github.com/a/b.git" is not a known field; allowed fields here: source, name, refreshIntervalSeconds, maxRefreshSeconds`,
      ]);
    });

    it("rejects two bundles with one name", () => {
      expect(
        problems({
          bundles: [
            { name: "team", source: "efs" },
            { name: "team", source: "s3" },
          ],
        }),
      ).toEqual([`${where}dags.bundles[1].name = "team" is already the name of dags.bundles[0]; expected distinct bundle names`]);
    });

    it("rejects the image's platform bundle name", () => {
      expect(problems({ bundles: [{ name: "airflow-ecs-image", source: "efs" }] })).toEqual([
        `${where}dags.bundles[0].name = "airflow-ecs-image" is the image's platform DAG bundle; expected another name`,
      ]);
    });

    it("rejects an empty bundle list", () => {
      expect(problems({ bundles: [] })).toEqual([`${where}dags.bundles = [] has 0 entries; expected a list of 1 to 10 entries`]);
    });

    it("rejects deploy repositories when there is nothing to deliver (git bundles only)", () => {
      const found = problems({
        bundles: [{ name: "platform", source: "git", repository: "https://github.com/a/b.git", ref: "main" }],
        deployRepositories: ["example-org/dags"],
      });
      expect(found).toEqual([
        `${where}dags.deployRepositories = ["example-org/dags"] is set but every bundle is a git bundle (delivered by pushing to its repository); expected an efs or s3 bundle to deliver, or no deploy repositories`,
      ]);
    });
  });

  describe("git", () => {
    it("requires the repository and the ref", () => {
      expect(problems({ bundles: [{ name: "platform", source: "git" }] })).toEqual([
        `${where}dags.bundles[0].repository = (missing) is required; expected a string: a clone URL: https://host/owner/repo.git (without credentials) or git@host:owner/repo.git`,
        `${where}dags.bundles[0].ref = (missing) is required; expected a string: a branch or tag name, or a full 40-character commit SHA (letters, digits, . _ / -; no ..)`,
      ]);
    });

    it("rejects a token written into the URL (credentials come from a secret, never a literal)", () => {
      const found = problems({ bundles: [{ name: "platform", source: "git", repository: "https://x-access-token:ghp_abc@github.com/a/b.git", ref: "main" }] });
      expect(found).toEqual([
        `${where}dags.bundles[0].repository = "https://x-access-token:ghp_abc@github.com/a/b.git" is not allowed; expected a clone URL: https://host/owner/repo.git (without credentials) or git@host:owner/repo.git`,
      ]);
    });

    it("requires a credentials secret for an SSH URL", () => {
      const found = problems({ bundles: [{ name: "platform", source: "git", repository: "git@github.com:example-org/platform-dags.git", ref: "main" }] });
      expect(found).toEqual([
        `${where}dags.bundles[0].credentialsSecretArn = (missing) is required for the SSH repository git@github.com:example-org/platform-dags.git; expected the ARN of a secret holding the git connection with its deploy key`,
      ]);
    });

    it("rejects a credentials secret of another account or region", () => {
      const other = SECRET.replace("eu-west-1:111111111111", "us-east-1:999999999999");
      const found = problems({
        bundles: [{ name: "platform", source: "git", repository: "https://github.com/a/b.git", ref: "main", credentialsSecretArn: other }],
      });
      // (long values are shortened in messages)
      expect(found).toEqual([
        `${where}dags.bundles[0].credentialsSecretArn = "${other.slice(0, 76)}... is in 999999999999/us-east-1; expected a secret of account 111111111111 in eu-west-1`,
      ]);
    });

    it("rejects a ref or subdir that climbs out (..)", () => {
      const found = problems({ bundles: [{ name: "platform", source: "git", repository: "https://github.com/a/b.git", ref: "main/../x", subdir: "../etc" }] });
      expect(found.map((p) => p.split(" = ")[0])).toEqual([`${where}dags.bundles[0].ref`, `${where}dags.bundles[0].subdir`]);
    });

    it("accepts an SSH repository with its secret, a pinned commit and a subdir", () => {
      const bundle = {
        name: "platform",
        source: "git",
        repository: "git@github.com:example-org/platform-dags.git",
        ref: "0123456789abcdef0123456789abcdef01234567",
        subdir: "dags",
        credentialsSecretArn: SECRET,
      };
      expect(problems({ bundles: [bundle] })).toEqual([]);
    });
  });

  describe("s3", () => {
    it("rejects a prefix that is absolute, ends in a slash or climbs out", () => {
      for (const prefix of ["/team", "team/", "team/../other", "Team"]) {
        expect(problems({ bundles: [{ name: "team", source: "s3", prefix }] })).toEqual([
          `${where}dags.bundles[0].prefix = ${JSON.stringify(prefix)} is not allowed; expected a folder under dags/ in the DAG bucket: lowercase letters, digits, . _ - and inner slashes, no ..`,
        ]);
      }
    });

    it("rejects S3 bundles whose folders overlap (one would sync the other's files)", () => {
      const found = problems({
        bundles: [
          { name: "team", source: "s3" },
          { name: "team-sub", source: "s3", prefix: "team/sub" },
        ],
      });
      expect(found).toEqual([
        `${where}dags.bundles[1].prefix = "team/sub" overlaps dags.bundles[0].prefix (team); expected S3 bundles in separate folders (a bundle syncs everything under its prefix)`,
      ]);
    });
  });

  describe("maxRefreshSeconds (the dag-processor's health check tolerates the sum)", () => {
    it("takes a bundle's own bound, and refuses one beyond what any health check tolerates", () => {
      expect(
        parse(devWith({ bundles: [{ name: "platform", source: "git", repository: "https://github.com/o/r.git", ref: "main", maxRefreshSeconds: 600 }] })).dags
          .bundles[0].maxRefreshSeconds,
      ).toBe(600);
      expect(problems({ bundles: [{ name: "team", source: "efs", maxRefreshSeconds: 2400 }] })).toEqual([
        `${where}dags.bundles[0].maxRefreshSeconds = 2400 is out of range; expected an integer from 0 to 2370`,
      ]);
    });

    it("refuses bundles whose refreshes together stall the dag-processor too long, on the bundle that tips it", () => {
      const git = (name: string, seconds: number) => ({
        name,
        source: "git",
        repository: "https://github.com/o/r.git",
        ref: "main",
        maxRefreshSeconds: seconds,
      });
      expect(problems({ bundles: [git("a", 1800), git("b", 600)] })).toEqual([
        `${where}dags.bundles[1].maxRefreshSeconds = 600 brings the bundles' refreshes to 2400 s, which with the dag-processor's 30 s loop stalls its heartbeat longer than any ECS health check tolerates (2400 s: 8 intervals of 300 s); expected the bundles' maxRefreshSeconds to add up to at most 2370`,
      ]);
    });
  });

  describe("efs", () => {
    it("rejects a refresh interval below 10 seconds", () => {
      expect(problems({ bundles: [{ name: "team", source: "efs", refreshIntervalSeconds: 5 }] })).toEqual([
        `${where}dags.bundles[0].refreshIntervalSeconds = 5 is out of range; expected an integer from 10 to 86400`,
      ]);
    });

    it("rejects keeping fewer than 2 releases (the switch needs the previous one until it is done)", () => {
      expect(problems({ keepReleases: 1 })).toEqual([`${where}dags.keepReleases = 1 is out of range; expected an integer from 2 to 50`]);
    });
  });
});
