/** Databases: RDS PostgreSQL (instance class, Multi-AZ, storage, managed master secret) and ElastiCache (node type × nodes). */
import { asNumber, isTrue, type ResourceRef } from "../model";
import { fixed, lookup, MissingPriceError, usd, type CostScope, type LineItem } from "./pricing";

export function databaseItems(scope: CostScope): LineItem[] {
  return [
    ...scope.of("aws_db_instance").flatMap((db) => rdsItems(scope, db)),
    ...scope.of("aws_elasticache_replication_group").flatMap((rg) => cacheItems(scope, rg)),
  ];
}

function rdsItems({ table: t, hours: H, literal }: CostScope, db: ResourceRef): LineItem[] {
  const id = String(literal(db, "identifier") ?? db.name);
  const engine = String(literal(db, "engine") ?? "");
  if (engine !== "postgres")
    throw new MissingPriceError(`unknown RDS engine "${engine}" (aws_db_instance.${db.name} in ${db.stack}): ${t.file} prices PostgreSQL only`);
  const instanceClass = String(literal(db, "instance_class"));
  const hourly = lookup(t, t.rdsPostgresHourly, "RDS instance class", "rdsPostgresHourly", instanceClass, db);
  const copies = isTrue(literal(db, "multi_az")) ? 2 : 1;
  const deployment = copies === 2 ? "Multi-AZ: primary + standby" : "Single-AZ";
  const gb = asNumber(literal(db, "allocated_storage")) ?? 0;
  const maxGb = asNumber(literal(db, "max_allocated_storage")) ?? gb;
  const items: LineItem[] = [
    // Instance hours stop while the database is stopped (hibernation); storage keeps billing.
    ...fixed(
      `RDS PostgreSQL ${instanceClass} (${id}, ${deployment})`,
      "aws_db_instance",
      copies,
      copies * hourly * H,
      `${copies} × ${usd(hourly)}/h × ${H} h`,
    ).map((item) => ({ ...item, hibernates: true as const })),
    {
      item: `RDS storage (${id}, ${String(literal(db, "storage_type") ?? "gp2")}, ${gb} GB allocated, autoscaling to ${maxGb} GB)`,
      resourceType: "aws_db_instance",
      quantity: gb * copies,
      monthly: gb * copies * t.rdsGp3GbMonth,
      monthlyAtMax: maxGb * copies * t.rdsGp3GbMonth,
      basis: `${gb} GB × ${copies} × ${usd(t.rdsGp3GbMonth)}/GB-month (max: ${maxGb} GB)`,
    },
  ];
  const retention = asNumber(literal(db, "performance_insights_retention_period")) ?? 7;
  if (isTrue(literal(db, "performance_insights_enabled")) && retention > 7) {
    throw new MissingPriceError(
      `Performance Insights retention of ${retention} days (aws_db_instance.${db.name} in ${db.stack}) is a paid tier with no price in ${t.file}`,
    );
  }
  if (isTrue(literal(db, "manage_master_user_password")))
    items.push(...fixed(`RDS-managed master secret (${id})`, "aws_db_instance", 1, t.secretMonth, `1 × ${usd(t.secretMonth)}/secret-month`));
  return items;
}

function cacheItems({ table: t, hours: H, literal }: CostScope, rg: ResourceRef): LineItem[] {
  const nodeType = String(literal(rg, "node_type"));
  const hourly = lookup(t, t.elasticacheHourly, "ElastiCache node type", "elasticacheHourly", nodeType, rg);
  const groups = asNumber(literal(rg, "num_node_groups"));
  const replicas = asNumber(literal(rg, "replicas_per_node_group"));
  const nodes = asNumber(literal(rg, "num_cache_clusters")) ?? (groups !== undefined ? groups * ((replicas ?? 0) + 1) : 1);
  return fixed(
    `ElastiCache ${nodeType} × ${nodes} (${String(literal(rg, "replication_group_id") ?? rg.name)})`,
    "aws_elasticache_replication_group",
    nodes,
    nodes * hourly * H,
    `${nodes} × ${usd(hourly)}/h × ${H} h`,
  );
}
