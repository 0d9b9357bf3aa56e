import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { Construct } from "constructs";

export interface AccountProviderProps {
  /** The environment's region. */
  readonly region: string;
  /** The only account the provider may act in (`allowed_account_ids`). */
  readonly accountId: string;
  /** Tags on every taggable resource (ASG-launched instances need their own propagation). */
  readonly tags: Readonly<Record<string, string>>;
}

/** The AWS provider pinned to one account (applying with other credentials fails before any change) and region. */
export function accountProvider(scope: Construct, props: AccountProviderProps): AwsProvider {
  return new AwsProvider(scope, "aws", {
    region: props.region,
    allowedAccountIds: [props.accountId],
    defaultTags: [{ tags: { ...props.tags } }],
  });
}
