/** Field declarations shared by several parts of the spec. */
import { int, str, type FieldOptions } from "./language";

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
/** A Secrets Manager secret ARN with its 6-character suffix (the account and region are checked by validate.ts). */
export const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9\/_+=.@-]+-[A-Za-z0-9]{6}$/;
export const CIDR_TEXT = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;

/** An IPv4 CIDR (its octets and host bits are checked by `validate.ts`). */
export const cidr = <O extends FieldOptions<string>>(options: O) => str("an IPv4 CIDR such as 10.20.0.0/16", { pattern: CIDR_TEXT, ...options });

/** A CloudWatch Logs retention period in days. */
export const logRetention = <O extends FieldOptions<number>>(options: O) => int(1, 3653, { oneOf: LOG_RETENTION_DAYS, ...options });

export const instanceType = <O extends FieldOptions<string>>(example: string, options: O) =>
  str(`an EC2 instance type such as ${example}`, { pattern: /^[a-z][a-z0-9-]*\.[a-z0-9]+$/, ...options });

/** CPU units and MiB of one task; the Fargate/EC2-specific checks are in validate.ts. */
export const taskSize = {
  cpu: int(128, 16384, { doc: "CPU units of one task (1024 = 1 vCPU)." }),
  memory: int(256, 122880, { doc: "Memory of one task, in MiB." }),
};
