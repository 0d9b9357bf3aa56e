import type { EnvironmentConfig } from "../../config/schema";

/** The AWS partition of a region (`aws`, `aws-cn`, `aws-us-gov`). */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/**
 * Builds ARNs for the environment's account and region from config alone, so policies can name exact resources
 * without data sources that would call AWS at plan time.
 */
export class ArnBuilder {
  readonly partition: string;
  readonly region: string;
  readonly account: string;

  constructor(config: Pick<EnvironmentConfig, "account">) {
    this.partition = partitionOf(config.account.region);
    this.region = config.account.region;
    this.account = config.account.id;
  }

  /** `arn:<partition>:<service>:<region>:<account>:<resource>`; pass region "" for global services. */
  of(service: string, resource: string, region = this.region, account = this.account): string {
    return `arn:${this.partition}:${service}:${region}:${account}:${resource}`;
  }

  /** The account root principal. */
  get root(): string {
    return `arn:${this.partition}:iam::${this.account}:root`;
  }

  /** A service principal name (`ecs-tasks.amazonaws.com`), with the China suffix where needed. */
  servicePrincipal(service: string): string {
    return this.partition === "aws-cn" ? `${service}.amazonaws.com.cn` : `${service}.amazonaws.com`;
  }
}
