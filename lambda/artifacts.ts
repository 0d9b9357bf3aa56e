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
   * 2026-08-31). The bundles target Node.js 20 syntax, which nodejs22.x runs unchanged.
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
} as const satisfies Record<string, LambdaArtifact>;
