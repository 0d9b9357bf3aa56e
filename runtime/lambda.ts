/** The Lambdas: their bundles (built by scripts/build-lambda.ts, deployed by the services stack) and their environment. */

/** Environment of the queue-depth publisher Lambda. */
export const PUBLISHER_ENV = {
  /** JSON array of { name, service, queues, concurrency, minCount, maxCount } (service: the pool's ECS service name). */
  pools: "AIRFLOW_ECS_POOLS",
  /** ECS cluster of the worker services. */
  cluster: "AIRFLOW_ECS_CLUSTER",
  environment: "AIRFLOW_ECS_ENVIRONMENT",
  /** ARN of the RDS-managed master secret (JSON with username and password). */
  dbSecretArn: "AIRFLOW_ECS_DB_SECRET_ARN",
  dbHost: "AIRFLOW_ECS_DB_HOST",
  dbPort: "AIRFLOW_ECS_DB_PORT",
  dbName: "AIRFLOW_ECS_DB_NAME",
  /** Samples per invocation and the seconds between them (sub-minute reaction with a 1-minute schedule). */
  samplesPerInvocation: "AIRFLOW_ECS_SAMPLES_PER_INVOCATION",
  sampleIntervalSeconds: "AIRFLOW_ECS_SAMPLE_INTERVAL_SECONDS",
} as const;

/** Environment of the service-redeployer Lambda. */
export const REDEPLOYER_ENV = {
  cluster: "AIRFLOW_ECS_CLUSTER",
  /** JSON array of the ECS services to redeploy after the database secret rotates. */
  services: "AIRFLOW_ECS_SERVICES",
} as const;

/**
 * The Lambda bundles `npm run build` produces and the services stack deploys: one place for their entry, zip,
 * handler and runtime, read by scripts/build-lambda.ts and the stacks (no esbuild import at synth time).
 */
export interface LambdaArtifact {
  /** Bundle entry, relative to the repository root. */
  readonly entry: string;
  /** Zip path relative to the repository root. */
  readonly zipPath: string;
  /** `handler` of aws_lambda_function: the zip's index.js exports `handler`. */
  readonly handler: string;
  /**
   * nodejs22.x: the Lambda runtime table lists nodejs20.x as deprecated on 2026-04-30 (creation blocked from
   * 2026-08-31). The bundles target Node.js 22 syntax, the runtime's own.
   */
  readonly runtime: string;
}

export const LAMBDA_ARTIFACTS = {
  queueDepthPublisher: {
    entry: "lambda/queue-depth-publisher/index.ts",
    zipPath: "dist/lambda/queue-depth-publisher.zip",
    handler: "index.handler",
    runtime: "nodejs22.x",
  },
  serviceRedeployer: {
    entry: "lambda/service-redeployer/index.ts",
    zipPath: "dist/lambda/service-redeployer.zip",
    handler: "index.handler",
    runtime: "nodejs22.x",
  },
  hibernation: {
    entry: "lambda/hibernation/index.ts",
    zipPath: "dist/lambda/hibernation.zip",
    handler: "index.handler",
    runtime: "nodejs22.x",
  },
} as const satisfies Record<string, LambdaArtifact>;
