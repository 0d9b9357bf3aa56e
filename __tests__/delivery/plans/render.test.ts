import { GITHUB_COMMENT_LIMIT } from "../../../scripts/lib/markdown";
import { renderPlanSummary } from "../../../scripts/plans/render";
import { craftedPlan, resourceChange } from "../../support/plan-json";
import { CRAFTED_SUMMARY as markdown, fixture, tableRow } from "./crafted";

describe("plan summary of crafted plans (replace, delete, update, sensitive, no-op)", () => {
  it("renders the whole summary (snapshot)", () => {
    expect(markdown).toMatchSnapshot();
  });

  it("opens with the headline, then the review list, then the table, then the details", () => {
    const positions = ["### Terraform plan: dev\n\n**dev**: 3 of 5 stacks change", "#### ⚠️ Review first", "| Stack | Create |", "<details>"].map((s) =>
      markdown.indexOf(s),
    );
    expect(positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1]))).toBe(true);
    expect(markdown.split("\n")[2]).toBe(
      "**dev**: 3 of 5 stacks change: 5 to create, 4 to update, 1 to replace, 2 to delete · ⚠️ **8 to review first** · ⏳ 3 provisional · ❌ 1 failed (`dev-services`)",
    );
  });

  it("ignores no-op resources and data-source reads", () => {
    for (const address of [
      "aws_vpc.main",
      "aws_efs_file_system.dags",
      "aws_ecs_cluster.main",
      "data.aws_secretsmanager_secret_version.auth_token",
      "efs_file_system_id",
    ]) {
      expect({ address, shown: markdown.includes(address) }).toEqual({ address, shown: false });
    }
    expect(tableRow(markdown, "dev-compute")).toEqual([
      "0",
      "0",
      "0",
      "0",
      "✅ no changes; ⏳ provisional (upstream dev-iam changes, dev-network changes, dev-storage changes)",
    ]);
  });

  it("marks downstream stacks provisional when an upstream changes, and not the first stack", () => {
    expect(tableRow(markdown, "dev-network")[4]).toBe("⚠️ 3 to review");
    expect(tableRow(markdown, "dev-storage")[4]).toBe("⚠️ 2 to review; ⏳ provisional (upstream dev-network changes)");
    expect(markdown).toContain(
      "> ⏳ **Provisional**: this plan read the state of `dev-network` (changes) as applied today, not as this change leaves it; the apply re-plans it after them.",
    );
  });

  it("reports a failed stack without counts", () => {
    expect(tableRow(markdown, "dev-services")).toEqual(["–", "–", "–", "–", "❌ failed (see the job log)"]);
  });

  it("reports an environment without changes in one line", () => {
    const quiet = renderPlanSummary([{ id: "dev-compute", plan: fixture("dev-compute") }], { environment: "dev" });
    expect(quiet.split("\n")[2]).toBe("**dev**: no changes in 1 stack ✅");
    expect(quiet).not.toContain("Review first");
    expect(quiet).not.toContain("<details>");
  });
});

describe("plan summary size limit", () => {
  // GIVEN 3,000 created buckets with long attributes (far more than a comment holds)
  const big = craftedPlan(
    Array.from({ length: 3000 }, (_, i) =>
      resourceChange({
        type: "aws_s3_object",
        name: `object_${i}`,
        actions: ["create"],
        after: { bucket: "airflow-dev-task-logs-111111111111", key: `dags/${"x".repeat(80)}/${i}.py`, content_type: "text/x-python" },
      }),
    ),
  );

  it.each([GITHUB_COMMENT_LIMIT, 60_000, 12_000, 2_000])("fits in %i characters, keeps <details> balanced and says what was cut", (maxChars) => {
    const markdown = renderPlanSummary(
      [
        { id: "dev-storage", plan: big },
        { id: "dev-iam", plan: fixture("dev-iam") },
      ],
      { maxChars, runUrl: "https://example.test/run/1" },
    );
    expect(markdown.length).toBeLessThanOrEqual(maxChars);
    expect(markdown.split("<details>").length).toBe(markdown.split("</details>").length);
    expect(markdown).toContain(
      "_Details truncated to stay under GitHub's 65,536-character comment limit; the full plans are in the [workflow run's artifacts](https://example.test/run/1)._",
    );
    expect(markdown).toContain("| dev-storage | 3000 | 0 | 0 | 0 |");
  });
});
