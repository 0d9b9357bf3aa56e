import { isDeepStrictEqual } from "util";
import { isPlainObject } from "../lib/json-diff";
import { changeKind, isChanging, type ChangeKind, type ResourceChange } from "../lib/terraform-plan";

/**
 * The changes a reviewer must look at before anything else: data loss, permission changes, the state backend, and
 * ingress opened to the whole internet.
 */
export type DangerCategory = "stateful" | "state-backend" | "iam" | "open-ingress";

export interface Danger {
  readonly stack: string;
  readonly address: string;
  readonly type: string;
  readonly kind: ChangeKind;
  readonly category: DangerCategory;
  /** Why it is dangerous, e.g. `RDS instance`, `tcp 443 from 0.0.0.0/0`. */
  readonly reason: string;
}

/** Resources whose delete or replace loses data (or, for KMS keys, everything encrypted with them). */
export const STATEFUL_TYPES: Readonly<Record<string, string>> = {
  aws_db_instance: "RDS instance",
  aws_rds_cluster: "RDS cluster",
  aws_elasticache_replication_group: "ElastiCache replication group",
  aws_efs_file_system: "EFS file system",
  aws_s3_bucket: "S3 bucket",
  aws_secretsmanager_secret: "Secrets Manager secret",
  aws_kms_key: "KMS key",
  aws_ecr_repository: "ECR repository (images)",
};

/** State bootstrap stacks (`bootstrap-<bucket>`): the bucket and key every other stack's state lives in. */
export function isBootstrapStack(stack: string): boolean {
  return stack.startsWith("bootstrap-");
}

const WORLD = /\/0$/;

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function ports(rule: Record<string, unknown>): string {
  const protocol = String(rule.ip_protocol ?? rule.protocol ?? "");
  const all = protocol === "-1" || protocol === "all";
  const from = rule.from_port;
  const to = rule.to_port;
  const range = from === undefined || from === null ? "" : from === to ? ` ${from}` : ` ${from}-${to}`;
  return all ? "all traffic" : `${protocol}${range}`;
}

/** The world-open sources of one ingress rule object (`cidr_ipv4`/`cidr_ipv6` or `cidr_blocks`/`ipv6_cidr_blocks`). */
function worldSources(rule: Record<string, unknown>): string[] {
  const sources = [rule.cidr_ipv4, rule.cidr_ipv6].filter((v): v is string => typeof v === "string");
  sources.push(...strings(rule.cidr_blocks), ...strings(rule.ipv6_cidr_blocks));
  return sources.filter((s) => WORLD.test(s));
}

/** Ingress from 0.0.0.0/0 or ::/0 that a create, update or replace leaves in place. */
function openIngress(rc: ResourceChange, kind: ChangeKind): string[] {
  if (kind !== "create" && kind !== "update" && kind !== "replace") return [];
  const after = rc.change.after;
  if (!isPlainObject(after)) return [];
  if (rc.type === "aws_vpc_security_group_ingress_rule" || (rc.type === "aws_security_group_rule" && after.type === "ingress")) {
    const world = worldSources(after);
    return world.length > 0 ? [`${ports(after)} from ${world.join(", ")}`] : [];
  }
  if ((rc.type === "aws_security_group" || rc.type === "aws_default_security_group") && Array.isArray(after.ingress)) {
    const before = isPlainObject(rc.change.before) && Array.isArray(rc.change.before.ingress) ? rc.change.before.ingress : [];
    return after.ingress
      .filter(isPlainObject)
      .filter((rule) => !before.some((old) => isDeepStrictEqual(old, rule)))
      .flatMap((rule) => {
        const world = worldSources(rule);
        return world.length > 0 ? [`inline ingress ${ports(rule)} from ${world.join(", ")}`] : [];
      });
  }
  return [];
}

/** Every dangerous change among a stack's resource changes, in plan order. */
export function findDangers(stack: string, changes: readonly ResourceChange[]): Danger[] {
  const found: Danger[] = [];
  for (const rc of changes) {
    if (!isChanging(rc)) continue;
    const kind = changeKind(rc.change.actions);
    const destroys = kind === "delete" || kind === "replace";
    const danger = (category: DangerCategory, reason: string) => found.push({ stack, address: rc.address, type: rc.type, kind, category, reason });

    if (destroys && STATEFUL_TYPES[rc.type]) danger("stateful", STATEFUL_TYPES[rc.type]);
    if (isBootstrapStack(stack) && (destroys || kind === "update" || kind === "forget"))
      danger("state-backend", "Terraform state bucket, its key or its policy");
    if (rc.type.startsWith("aws_iam_")) danger("iam", "IAM");
    for (const reason of openIngress(rc, kind)) danger("open-ingress", reason);
  }
  return found;
}
