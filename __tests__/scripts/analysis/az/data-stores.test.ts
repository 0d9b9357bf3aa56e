import { report, tier } from "./reports";

describe("the data stores", () => {
  it("prod: Multi-AZ RDS, a replicated Redis with failover, and EFS mount targets in every task AZ", () => {
    // GIVEN the prod report WHEN the reasons are read THEN they cite the attributes that make each store survive
    const r = report("prod");
    expect(tier(r, "rds").why).toContain(
      "postgres db.m7g.large with multi_az = true: a synchronous standby in another AZ of its subnet group (eu-west-1a, eu-west-1b, eu-west-1c)",
    );
    expect(tier(r, "redis").why).toContain(
      "num_cache_clusters = 2, automatic_failover_enabled = true, multi_az_enabled = true, subnet group in eu-west-1a, eu-west-1b, eu-west-1c",
    );
    expect(tier(r, "efs").why).toContain(
      "3 mount targets in eu-west-1a, eu-west-1b, eu-west-1c; tasks that mount it run in eu-west-1a, eu-west-1b, eu-west-1c",
    );
  });

  it("dev: single-AZ RDS and a single-node Redis are outages", () => {
    // GIVEN dev (multi_az = false, one cache node) WHEN analysed THEN both data stores are outages with the reason
    const r = report("dev");
    expect(tier(r, "rds")).toMatchObject({ verdict: "outage" });
    expect(tier(r, "rds").why).toBe(
      "postgres db.t4g.small with multi_az = false: a single instance in one AZ of eu-west-1a, eu-west-1b; losing that AZ stops the metadata database (every Airflow component) until the AZ returns or an operator restores a snapshot elsewhere.",
    );
    expect(tier(r, "redis")).toMatchObject({ verdict: "outage" });
    expect(tier(r, "redis").why).toBe(
      "num_cache_clusters = 1, automatic_failover_enabled = false, multi_az_enabled = false, subnet group in eu-west-1a, eu-west-1b: a single node (no replica), no automatic failover, Multi-AZ off; losing the primary's AZ stops the Celery broker (queued and in-flight messages lost) until the AZ returns or an operator recreates it.",
    );
  });
});
