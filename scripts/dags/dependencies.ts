import type { ECSClient } from "@aws-sdk/client-ecs";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { Output } from "../lib/cli";

export interface AwsClients {
  readonly s3: S3Client;
  readonly ssm: SSMClient;
  readonly ecs: ECSClient;
}

/** What a deployment talks to; tests inject mocked clients, a fake clock and collected output. */
export interface DeployDependencies {
  readonly clients: AwsClients;
  /** Waits `ms` milliseconds (tests advance a fake clock). */
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => Date;
  readonly out: Output;
}
