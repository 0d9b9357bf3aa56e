import * as fs from "fs";
import * as path from "path";
import { renderPolicyMarkdown, renderRulesMarkdown, renderSuppressionsMarkdown } from "../../../modules/rule-pack/markdown";
import {
  AIRFLOW_ECS_PACK,
  DATA_PACK,
  ECS_PACK,
  IAM_PACK,
  LOAD_BALANCER_PACK,
  NETWORK_PACK,
  OPERATIONS_PACK,
  ORDERING_PACK,
  SECRETS_PACK,
} from "../../../modules/rule-pack/packs";
import { defineRule, type PolicyRule } from "../../../modules/rule-pack/rule";
import { SUPPRESSIONS } from "../../../modules/rule-pack/accepted-findings";

const RULES_DIR = path.join(__dirname, "../../../modules/rule-pack/rules");
const TESTS_DIR = path.join(__dirname, "rules");
const isRule = (value: unknown): value is PolicyRule => typeof value === "object" && value !== null && "check" in value && "rationale" in value;

describe("rule files and packs", () => {
  const files = fs.readdirSync(RULES_DIR, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  const exported = files.map((file) => ({
    file,
    rules: Object.values(jest.requireActual<Record<string, unknown>>(path.join(RULES_DIR, file))).filter(isRule),
  }));

  test("one rule per file, and AIRFLOW_ECS_PACK holds every rule once", () => {
    // GIVEN every module under modules/rule-pack/rules
    // THEN none exports more than one rule, and the pack is exactly the exported rules
    expect(exported.filter((e) => e.rules.length > 1).map((e) => e.file)).toEqual([]);
    const ids = exported.flatMap((e) => e.rules.map((r) => r.id)).sort();
    expect(AIRFLOW_ECS_PACK.rules.map((r) => r.id).sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test("the service packs compose AIRFLOW_ECS_PACK", () => {
    // GIVEN the seven service packs and the ordering pack
    // THEN they together are the whole pack, without overlap
    const parts = [NETWORK_PACK, LOAD_BALANCER_PACK, ECS_PACK, DATA_PACK, IAM_PACK, SECRETS_PACK, OPERATIONS_PACK, ORDERING_PACK].flatMap((p) => p.rules);
    expect(parts).toEqual([...AIRFLOW_ECS_PACK.rules]);
  });

  test("every rule has numbered compliant and non-compliant cases in the tests of its service", () => {
    // GIVEN each rule's service directory and the test file mirroring it
    for (const { file, rules } of exported) {
      for (const rule of rules) {
        const service = file.split(path.sep)[0];
        const tests = fs.readFileSync(path.join(TESTS_DIR, `${service}.test.ts`), "utf8");
        const block = tests.split(/\ndescribe\(/).find((b) => b.startsWith(`"${rule.id} `) || b.startsWith(`'${rule.id} `));
        // THEN its describe block has both kinds of fixtures
        expect({ rule: rule.id, noncompliant: block?.includes("Noncompliance 1") ?? false, compliant: block?.includes("Compliance 1") ?? false }).toEqual({
          rule: rule.id,
          noncompliant: true,
          compliant: true,
        });
      }
    }
  });

  test("rule metadata is validated when a rule is declared", () => {
    // GIVEN malformed declarations THEN they throw
    const base = { title: "t", rationale: "why", resourceTypes: ["aws_vpc"], check: () => undefined };
    expect(() => defineRule({ ...base, id: "MY_RULE" })).toThrow(
      new Error('policy rule id "MY_RULE" must be a Checkov (CKV_AWS_n, CKV2_AWS_n), cdk-nag (AwsSolutions-X) or project (AIRFLOW_X) id'),
    );
    expect(() => defineRule({ ...base, id: "AIRFLOW_X", resourceTypes: [] })).toThrow(new Error("policy rule AIRFLOW_X inspects no resource type"));
    expect(() => defineRule({ ...base, id: "AIRFLOW_X", rationale: "two\nlines" })).toThrow(new Error("policy rule AIRFLOW_X needs a one-line rationale"));
  });
});

describe("Markdown for the README", () => {
  test("one table row per rule, with its ids, resource types and rationale", () => {
    // GIVEN AIRFLOW_ECS_PACK
    // WHEN its rules are rendered
    const lines = renderRulesMarkdown().trim().split("\n");
    // THEN there is a header, a separator and a row per rule
    expect(lines).toHaveLength(AIRFLOW_ECS_PACK.rules.length + 2);
    expect(lines).toContain(
      "| `CKV_AWS_131` | AVD-AWS-0052 | ALB drops invalid header fields | `aws_lb`, `aws_alb` | Forwarding malformed headers to the api-server opens the door to request smuggling and header injection. |",
    );
  });

  test("one table row per suppression, with its stacks, resource and reason", () => {
    // GIVEN the repository's suppressions
    // WHEN they are rendered
    const lines = renderSuppressionsMarkdown().trim().split("\n");
    // THEN every suppression has a row
    expect(lines).toHaveLength(SUPPRESSIONS.length + 2);
    expect(lines[0]).toBe("| Rule | Stacks | Resource | Reason |");
    expect(lines).toContain(
      "| `CKV_AWS_145` | `*-storage` | `alb-logs/bucket` | ALB access-log delivery cannot write to SSE-KMS buckets (aws/aws-cdk#21947); the bucket uses SSE-S3, blocks public access and holds no secrets. |",
    );
  });

  test("the combined section has both tables under headings", () => {
    // GIVEN the pack and the suppressions
    // WHEN rendered together
    const text = renderPolicyMarkdown();
    // THEN both headings carry the counts
    expect(text).toContain(`### Synth-time policy rules (${AIRFLOW_ECS_PACK.rules.length})`);
    expect(text).toContain(`### Accepted findings (${SUPPRESSIONS.length})`);
  });
});
