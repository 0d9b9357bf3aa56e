/**
 * Resource names for one environment: `<prefix>-<env>-<part>`. Names that AWS limits in length are checked here, so a
 * long prefix fails at synth with the offending name instead of at apply.
 */
export class Naming {
  constructor(
    readonly prefix: string,
    readonly environment: string,
    readonly accountId: string,
  ) {}

  /** `<prefix>-<env>` */
  get base(): string {
    return `${this.prefix}-${this.environment}`;
  }

  /** `<prefix>-<env>-<part>`; throws when longer than `maxLength` (e.g. 32 for ALBs and target groups). */
  name(part: string, maxLength = 64): string {
    const name = `${this.base}-${part}`;
    if (name.length > maxLength) {
      throw new Error(`resource name "${name}" is ${name.length} characters; AWS allows ${maxLength} here (shorten namePrefix or the part "${part}")`);
    }
    return name;
  }

  /** Globally unique names (S3 buckets): `<prefix>-<env>-<part>-<account>`. */
  globalName(part: string): string {
    return this.name(`${part}-${this.accountId}`, 63);
  }

  /** CloudWatch Logs group: `/<prefix>/<env>/<part>`; every log group of the environment sits under `logGroupPrefix`. */
  logGroup(part: string): string {
    return `${this.logGroupPrefix}/${part}`;
  }

  get logGroupPrefix(): string {
    return `/${this.prefix}/${this.environment}`;
  }

  /** The log group of the metrics collector's embedded-metric-format events (the services stack creates it, the IAM stack grants it). */
  get metricsLogGroup(): string {
    return this.logGroup("metrics");
  }

  /** Secrets Manager name: `<prefix>/<env>/<part>`. */
  secret(part: string): string {
    return `${this.secretPrefix}/${part}`;
  }

  get secretPrefix(): string {
    return `${this.prefix}/${this.environment}`;
  }

  /** The environment's ECR repository of the Airflow image. */
  get imageRepository(): string {
    return this.name("airflow");
  }

  /** The ECS cluster. */
  get cluster(): string {
    return this.name("cluster");
  }

  /** The private DNS namespace of service discovery: `<prefix>-<env>.internal`. */
  get discoveryNamespace(): string {
    return `${this.base}.internal`;
  }

  /** Prefix of the ALB's access logs in the ALB-log bucket (the storage stack's bucket policy, the services stack's ALB). */
  get albLogPrefix(): string {
    return "alb";
  }

  /** The Lambdas and their dead-letter queues (created by the services stack, granted by the IAM stack). */
  get lambdas(): { readonly publisher: string; readonly publisherDlq: string; readonly redeployer: string; readonly redeployerDlq: string } {
    return {
      publisher: this.name("queue-depth-publisher"),
      publisherDlq: this.name("queue-depth-publisher-dlq"),
      redeployer: this.name("service-redeployer"),
      redeployerDlq: this.name("service-redeployer-dlq"),
    };
  }

  /**
   * Hibernation (services stack): the state machine and its Lambda (also named by `npm run hibernate|wake`), their
   * roles, the role the schedules and the RDS event rule start executions with, and the state parameter
   * `/<prefix>/<env>/hibernation`.
   */
  get hibernation(): {
    readonly stateMachine: string;
    readonly stateMachineRole: string;
    readonly function: string;
    readonly starterRole: string;
    readonly stateParameter: string;
  } {
    return {
      stateMachine: this.name("hibernation"),
      stateMachineRole: this.name("hibernation-states"),
      function: this.name("hibernation-steps"),
      starterRole: this.name("hibernation-starter"),
      stateParameter: this.parameter("hibernation"),
    };
  }

  /** SSM parameter name: `/<prefix>/<env>/<part>`. */
  parameter(part: string): string {
    return `/${this.prefix}/${this.environment}/${part}`;
  }

  /**
   * The record of the Airflow version and image that last migrated the metadata database (created by the storage
   * stack, written by the migrate task, read by `npm run migrate`).
   */
  get migrationRecordParameter(): string {
    return this.parameter("airflow/migration-record");
  }

  /** The environment's SNS topic: platform alarms and Airflow task failures (created by the services stack). */
  get alarmTopic(): string {
    return this.name("alarms");
  }

  /** The scheduled `airflow db clean` task: its task-definition family, schedule, scheduler role and dead-letter queue. */
  get dbClean(): { readonly family: string; readonly schedule: string; readonly schedulerRole: string; readonly deadLetterQueue: string } {
    return {
      family: this.name("db-clean"),
      schedule: this.name("db-clean"),
      schedulerRole: this.name("db-clean-scheduler"),
      deadLetterQueue: this.name("db-clean-dlq"),
    };
  }

  /** IAM roles GitHub Actions assumes through OIDC: `plan` (read-only + state read) and `apply` (deploy). */
  ciRole(kind: "plan" | "apply"): string {
    return this.name(`ci-${kind}`);
  }
}
