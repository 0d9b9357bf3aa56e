import { PRICES_EU_WEST_1 as T } from "../../../../scripts/analysis/prices-eu-west-1";
import { item, report } from "./reports";

describe("storage line items (assumed usage)", () => {
  it("prod-storage: one EFS file system at the assumed 5 GB", () => {
    // GIVEN prod's DAG file system WHEN priced at the table's assumed usage THEN 1 × 5 GB × $0.33 = $1.65
    expect(item(report("prod"), "prod-storage", "EFS Standard")).toMatchObject({
      item: "EFS Standard (1 file system, assumed 5 GB each)",
      quantity: 5,
      monthly: 1.65,
      basis: "1 × 5 GB × $0.33/GB-month",
    });
  });

  it("prices every bucket, repository and log group at the assumed usage of its kind", () => {
    // GIVEN the prod report WHEN the storage items of every stack are read
    const items = report("prod").stacks.flatMap((s) => s.items);
    const usage = [
      { prefix: "S3 Standard", unit: T.usage.s3GbPerBucket, price: T.s3StandardGbMonth },
      { prefix: "ECR storage", unit: T.usage.ecrGbPerRepository, price: T.ecrStorageGbMonth },
      { prefix: "CloudWatch Logs ingestion", unit: T.usage.logsGbPerLogGroup, price: T.cloudwatchLogsIngestionGb },
    ];
    // THEN each is <count> × <assumed GB> GB at the table's price, its count named in the item
    for (const { prefix, unit, price } of usage) {
      const found = items.filter((i) => i.item.startsWith(prefix));
      expect(found.length).toBeGreaterThan(0);
      for (const i of found) {
        const count = Number(/\((\d+) /.exec(i.item)?.[1]);
        expect({ prefix, quantity: i.quantity, monthly: i.monthly, atMax: i.monthlyAtMax }).toEqual({
          prefix,
          quantity: count * unit,
          monthly: Math.round(count * unit * price * 100) / 100,
          atMax: i.monthly,
        });
      }
    }
  });
});
