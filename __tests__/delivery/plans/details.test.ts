import { renderPlanSummary } from "../../../scripts/plans/render";
import { CRAFTED_SUMMARY as markdown, fixture, SECRET_MARKER } from "./crafted";

describe("the details of crafted plans (attribute changes, sensitive values)", () => {
  it("never prints sensitive values: marked in the plan, under secret-looking keys, or in secret-named env vars", () => {
    const services = renderPlanSummary([{ id: "dev-services", plan: fixture("dev-services") }], { maxChars: 1_000_000 });
    expect([markdown, services].filter((m) => m.includes(SECRET_MARKER))).toEqual([]);
    expect(markdown).toContain("  - `password`: (sensitive value changed)\n");
    expect(markdown).toContain("  - `auth_token`: (sensitive value changed)\n");
    expect(markdown).toContain("  - `secret_string`: (sensitive value changed)\n");
    expect(markdown).toContain("update `redis_auth_token` (`(sensitive)` → `(sensitive)`)");
  });

  it("shows attribute changes before → after, and what forces a replacement", () => {
    expect(markdown).toContain("  - `instance_class`: `db.t4g.small` → `db.t4g.medium`\n");
    expect(markdown).toContain("  - `storage_encrypted`: `false` → `true` **(forces replacement)**\n");
    expect(markdown).toContain(
      '  - `policy (json) Statement[Sid=WriteLogs].Action`: `["logs:CreateLogStream","logs:PutLogEvents"]` → `["logs:PutLogEvents"]`\n',
    );
    expect(markdown).toContain(
      '  - `policy (json) Statement[Sid=ReadDags]`: (added) `{"Sid":"ReadDags","Effect":"Allow","Action":"elasticfilesystem:ClientMount","Resource":"*"}`\n',
    );
  });
});
