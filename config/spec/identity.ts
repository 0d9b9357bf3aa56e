/** Who and where the environment is: its name, account, state bucket and tags. */
import type { EnvironmentConfig, StateConfig } from "../schema";
import { REGION_PATTERN } from "./common";
import { bool, derived, obj, record, str } from "./language";

/** One state bucket per prefix and account, shared by the environments of that account. */
function stateBucketName(_state: StateConfig, config: EnvironmentConfig): string {
  return `${config.namePrefix}-tfstate-${config.account.id}`;
}

function accountRegion(_state: StateConfig, config: EnvironmentConfig): string {
  return config.account.region;
}

export const identity = {
  name: str("2-8 lowercase letters or digits starting with a letter, equal to the file name", {
    pattern: /^[a-z][a-z0-9]{1,7}$/,
    doc: "Environment name (dev, test, uat, prod): the file's name without `.json`.",
  }),
  production: bool({
    doc: "Production environments must meet the production minimums (Multi-AZ data stores, >= 2 api-servers and schedulers, >= 7 days of backups, deletion protection, HTTPS, an alarm e-mail); validation enforces them.",
  }),
  namePrefix: str("2-12 lowercase letters, digits or inner hyphens, starting with a letter (e.g. airflow)", {
    pattern: /^[a-z](?!.*--)[a-z0-9-]{0,10}[a-z0-9]$/,
    doc: "Prefix of every resource name.",
  }),
  account: obj(
    {
      id: str("a 12-digit AWS account id", {
        pattern: /^\d{12}$/,
        doc: "The AWS account the environment is deployed to; the provider refuses any other account.",
      }),
      region: str("an AWS region name such as eu-west-1 or us-east-2", { pattern: REGION_PATTERN, doc: "AWS region, e.g. `eu-west-1`." }),
    },
    { doc: "Where the environment is deployed." },
  ),
  state: obj(
    {
      bucket: str(
        "an S3 bucket name of 3-51 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit (12 characters stay free for the -access-logs companion bucket)",
        {
          pattern: /^(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,49}[a-z0-9]$/,
          doc: "S3 bucket holding every stack's state, created once per account by the `terraform-state/` bootstrap stack.",
          derive: derived("`<namePrefix>-tfstate-<account.id>`", stateBucketName),
        },
      ),
      region: str("an AWS region name such as eu-west-1", {
        pattern: REGION_PATTERN,
        doc: "Region of the state bucket.",
        derive: derived("`account.region`", accountRegion),
      }),
    },
    { default: {}, doc: "Terraform state of the environment's stacks." },
  ),
  tags: record(
    {
      keyPattern: /^(?!aws:)(?!(project|environment|stack|managed-by)$)[A-Za-z0-9 _.:/=+@-]{1,128}$/,
      keyAllowed:
        "tag keys of 1-128 letters, digits, spaces or _.:/=+-@, not starting with aws: and not project/environment/stack/managed-by (set by the stacks)",
      keyExample: "cost-center",
      values: str("a tag value of at most 256 letters, digits, spaces or _.:/=+-@", { pattern: /^[A-Za-z0-9 _.:/=+@-]{0,256}$/ }),
      maxEntries: 40,
    },
    { default: {}, doc: "Extra tags on every resource (added to project/environment/stack)." },
  ),
};
