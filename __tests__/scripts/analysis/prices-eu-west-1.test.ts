import { PRICES_EU_WEST_1 } from "../../../scripts/analysis/prices-eu-west-1";

describe("the price table", () => {
  it("is dated, sourced and flagged as unverified, with its assumptions", () => {
    // GIVEN / WHEN the eu-west-1 table THEN it says when, where from, and that it is approximate
    expect(PRICES_EU_WEST_1).toMatchObject({
      region: "eu-west-1",
      compiled: "2026-11-22",
      verified: false,
      hoursPerMonth: 730,
      file: "scripts/analysis/prices-eu-west-1.ts",
    });
    expect(PRICES_EU_WEST_1.source).toContain("not verified live");
    expect(PRICES_EU_WEST_1.assumptions.join("\n")).toContain("730 hours per month; on-demand list prices; no free tier");
    expect(PRICES_EU_WEST_1.excluded.join("\n")).toContain("NAT gateway / interface endpoint data processing");
  });
});
