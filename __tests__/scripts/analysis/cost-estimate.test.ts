import { estimateCost } from "../../../scripts/analysis/cost-estimate";
import { EnvironmentModel } from "../../../scripts/analysis/model";
import type { SynthesizedEnvironment } from "../../../scripts/analysis/synthesized";
import { environment, report } from "./cost/reports";

describe("the dev profile is cheap", () => {
  it("dev's steady-state total is at most 50% of prod's", () => {
    // GIVEN the estimates of dev and prod from the synthesized stacks
    const dev = report("dev");
    const prod = report("prod");
    // WHEN the totals are compared
    const ratio = dev.total.monthly / prod.total.monthly;
    const top = [...dev.stacks.flatMap((s) => s.items)].sort((a, b) => b.monthly - a.monthly).slice(0, 5);
    const verdict =
      ratio <= 0.5
        ? "dev <= 50% of prod"
        : `dev total $${dev.total.monthly} is ${(ratio * 100).toFixed(1)}% of prod total $${prod.total.monthly} (> 50%); dev's largest items: ${top.map((i) => `${i.item} $${i.monthly}`).join("; ")}`;
    // THEN dev costs at most half of prod (the failure message carries the numbers and what dominates)
    expect(verdict).toBe("dev <= 50% of prod");
  });
});

describe("the totals", () => {
  it("adds up: stack totals are the sums of their items, the total the sum of the stacks, the bootstrap shown apart", () => {
    // GIVEN / WHEN the prod report THEN every total is the rounded sum of its parts
    const r = report("prod");
    const cents = (n: number) => Math.round(n * 100);
    for (const s of r.stacks) expect(cents(s.monthly)).toBe(s.items.reduce((a, i) => a + cents(i.monthly), 0));
    expect(cents(r.total.monthly)).toBe(r.stacks.reduce((a, s) => a + cents(s.monthly), 0));
    expect(r.stacks.map((s) => s.stack)).toEqual(["prod-compute", "prod-iam", "prod-network", "prod-services", "prod-storage"]);
    expect(r.shared.map((s) => [s.stack, s.monthly])).toEqual([["bootstrap-airflow-tfstate-333333333333", 1.92]]);
  });
});

describe("errors", () => {
  it("a region without a price table is an error", () => {
    // GIVEN dev's stacks with their provider moved to us-east-1
    const env = JSON.parse(JSON.stringify(environment("dev"))) as SynthesizedEnvironment;
    for (const stack of env.stacks) for (const p of (stack.json.provider as any).aws) p.region = "us-east-1";
    // WHEN estimated THEN the error names the region and the priced regions
    expect(() => estimateCost(new EnvironmentModel(env))).toThrow(
      "no price table for region us-east-1 of environment dev; priced regions: eu-west-1 (scripts/analysis/prices-eu-west-1.ts)",
    );
  });
});
