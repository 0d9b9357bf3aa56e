/**
 * The stateful tiers: the RDS metadata database (Multi-AZ standby), the Redis broker (replica, automatic failover,
 * Multi-AZ) and the EFS file system (mount targets in the AZs where its tasks run).
 */
import { asNumber, isTrue, uniqueSorted } from "../model";
import type { AzContext } from "./context";
import { list, plural, tier, uniform, type TierResult } from "./verdict";

export function analyzeDatabases({ model, azs }: AzContext): TierResult[] {
  const databases = model.resources("aws_db_instance");
  return databases.map((db) => {
    const id = String(model.literal(db.stack, db.body.identifier) ?? db.name);
    const group = model.referencedResources(db.stack, db.body.db_subnet_group_name, "aws_db_subnet_group")[0];
    const dbAzs = group ? uniqueSorted(model.subnets(group.stack, group.body.subnet_ids ?? []).subnets.map((s) => s.az)) : [];
    const engine = `${model.literal(db.stack, db.body.engine) ?? "database"} ${model.literal(db.stack, db.body.instance_class) ?? ""}`.trim();
    const multiAz = isTrue(model.literal(db.stack, db.body.multi_az));
    return tier(
      databases.length === 1 ? "rds" : `rds:${id}`,
      `RDS ${id}`,
      true,
      multiAz && dbAzs.length >= 2
        ? uniform(
            azs,
            "serving",
            `${engine} with multi_az = true: a synchronous standby in another AZ of its subnet group (${list(dbAzs)}) is promoted automatically (typically 60-120 s); clients reconnect to the same endpoint.`,
          )
        : uniform(
            azs,
            "outage",
            multiAz
              ? `${engine} with multi_az = true, but its subnet group spans ${list(dbAzs)}: no second AZ for the standby.`
              : `${engine} with multi_az = false: a single instance in one AZ of ${list(dbAzs)}; losing that AZ stops the metadata database (every Airflow component) until the AZ returns or an operator restores a snapshot elsewhere.`,
          ),
    );
  });
}

export function analyzeBrokers({ model, azs }: AzContext): TierResult[] {
  const brokers = model.resources("aws_elasticache_replication_group");
  return brokers.map((rg) => {
    const id = String(model.literal(rg.stack, rg.body.replication_group_id) ?? rg.name);
    const nodes = asNumber(model.literal(rg.stack, rg.body.num_cache_clusters)) ?? 1;
    const failover = isTrue(model.literal(rg.stack, rg.body.automatic_failover_enabled));
    const multiAz = isTrue(model.literal(rg.stack, rg.body.multi_az_enabled));
    const group = model.referencedResources(rg.stack, rg.body.subnet_group_name, "aws_elasticache_subnet_group")[0];
    const rgAzs = group ? uniqueSorted(model.subnets(group.stack, group.body.subnet_ids ?? []).subnets.map((s) => s.az)) : [];
    const facts = `num_cache_clusters = ${nodes}, automatic_failover_enabled = ${failover}, multi_az_enabled = ${multiAz}, subnet group in ${list(rgAzs)}`;
    const missing = [
      nodes < 2 ? "a single node (no replica)" : "",
      !failover ? "no automatic failover" : "",
      !multiAz ? "Multi-AZ off" : "",
      rgAzs.length < 2 ? "one AZ only" : "",
    ].filter(Boolean);
    return tier(
      brokers.length === 1 ? "redis" : `redis:${id}`,
      `Redis broker ${id}`,
      true,
      missing.length === 0
        ? uniform(
            azs,
            "serving",
            `${facts}: a replica in another AZ is promoted and the primary endpoint follows it; unreplicated in-flight messages may be lost and are retried by Airflow.`,
          )
        : uniform(
            azs,
            "outage",
            `${facts}: ${missing.join(", ")}; losing the primary's AZ stops the Celery broker (queued and in-flight messages lost) until the AZ returns or an operator recreates it.`,
          ),
    );
  });
}

export function analyzeFileSystems({ model, azs, services }: AzContext): TierResult[] {
  const fileSystems = model.resources("aws_efs_file_system");
  const taskAzs = uniqueSorted(services.filter((s) => s.mountsEfs).flatMap((s) => s.placementAzs));
  return fileSystems.map((fs) => {
    const id = String(model.literal(fs.stack, fs.body.creation_token) ?? fs.name);
    const targets = model.referencing("aws_efs_mount_target", "file_system_id", fs);
    const targetAzs = uniqueSorted(targets.flatMap((t) => model.subnets(t.stack, t.body.subnet_id).subnets.map((s) => s.az)));
    const oneZone = model.literal(fs.stack, fs.body.availability_zone_name);
    const uncovered = taskAzs.filter((az) => !targetAzs.includes(az));
    const facts = `${plural(targets.length, "mount target")} in ${list(targetAzs)}; tasks that mount it run in ${list(taskAzs)}`;
    return tier(
      fileSystems.length === 1 ? "efs" : `efs:${id}`,
      `EFS ${id}`,
      true,
      typeof oneZone === "string"
        ? uniform(azs, "outage", `One Zone file system in ${oneZone}: losing that AZ loses the DAGs and plugins.`)
        : uncovered.length > 0
          ? uniform(azs, "degraded", `Regional file system, but ${facts}: tasks placed in ${list(uncovered)} cannot mount it.`)
          : targetAzs.length >= 2
            ? uniform(
                azs,
                "serving",
                `Regional file system (data in every AZ), ${facts}: tasks in surviving AZs keep mounting through their own AZ's mount target.`,
              )
            : uniform(azs, "outage", `Regional file system with mount targets only in ${list(targetAzs)}: losing it leaves no mount target.`),
    );
  });
}
