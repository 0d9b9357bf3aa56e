/** A worker pool's own task role: what its tasks may reach besides the platform's minimum (README "Team isolation"). */
import { list, obj, str } from "./language";

/** `s3://<bucket>/<prefix>/`: a bucket and a non-empty prefix ending in `/`, without IAM wildcard or variable characters. */
export const S3_PREFIX_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/([A-Za-z0-9!_.'()=+-]+\/)+$/;

const s3Prefix = str(
  "an S3 folder s3://<bucket>/<prefix>/ with a non-empty prefix ending in / (letters, digits and ! _ . ' ( ) = + -; no * ? $ or whole buckets)",
  {
    pattern: S3_PREFIX_URI,
  },
);

export const taskRole = obj(
  {
    s3Prefixes: list(s3Prefix, 0, 20, {
      default: [],
      doc: "S3 folders the pool's tasks may list, read, write and delete objects in (`s3://<bucket>/<prefix>/`; everything under the prefix).",
    }),
    s3ReadPrefixes: list(s3Prefix, 0, 20, {
      default: [],
      doc: "S3 folders the pool's tasks may only list and read.",
    }),
    secretsPrefixes: list(
      str("a Secrets Manager name prefix under <namePrefix>/<name>/ ending in /, e.g. airflow/prod/teams/ml/ (letters, digits, _ + = . @ - and /)", {
        pattern: /^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*\/$/,
      }),
      0,
      20,
      {
        default: [],
        doc: "Secrets Manager name prefixes (in the environment's account and region, under `<namePrefix>/<name>/`, not its `connections/` or `variables/`) whose secrets the pool's tasks may read.",
      },
    ),
    kmsKeyArns: list(
      str("a KMS key ARN, e.g. arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias)", {
        pattern: /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
      }),
      0,
      20,
      {
        default: [],
        doc: "KMS keys the pool's tasks may decrypt and generate data keys with (SSE-KMS objects under the S3 prefixes, secrets encrypted with a customer key).",
      },
    ),
    managedPolicyArns: list(
      str("an IAM customer managed policy ARN of the environment's account, e.g. arn:aws:iam::123456789012:policy/ml-feature-store-read", {
        pattern: /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/([A-Za-z0-9_+=,.@-]+\/)*[A-Za-z0-9_+=,.@-]{1,128}$/,
      }),
      0,
      10,
      {
        default: [],
        doc: "Customer managed policies attached to the pool's role as they are: they widen it beyond what this file shows, so review them like code. AWS managed policies are refused.",
      },
    ),
  },
  {
    optional: true,
    doc: "The pool's own task role (`<namePrefix>-<name>-worker-<pool>-task`): the worker role's permissions plus these grants. Absent: the pool runs with the shared worker role.",
  },
);
