/**
 * Delivers a DAG folder to one bundle of an environment:
 *
 *   npm run deploy-dags -- --env <env> [--bundle <name>] [--from <dir>] [--version <version>] [--timeout-minutes N] [--no-wait]
 *
 * - EFS bundle (dags/efs.ts): uploads a release archive once, then runs the sync task that switches to it
 *   (dags/ecs.ts); without --from, --version switches back to a release uploaded before.
 * - S3 bundle (dags/s3.ts): mirrors the folder to the bundle's prefix.
 * - Git bundle: nothing to deploy; Airflow follows the repository, so pushing to it delivers.
 *
 * Arguments are checked before any AWS call (dags/cli.ts). Where to deliver (bucket, cluster, sync task, network)
 * comes from the SSM parameter the services stack publishes (dags/target.ts), so a DAG repository's pipeline needs
 * only the environment's name and a role.
 */
import { ECSClient } from "@aws-sdk/client-ecs";
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import { planDeployment, type DeployPlan } from "./dags/cli";
import type { AwsClients, DeployDependencies } from "./dags/dependencies";
import { deployEfs } from "./dags/efs";
import { deployS3 } from "./dags/s3";
import { runAsProcess, type Output } from "./lib/cli";

export { USAGE } from "./dags/cli";

/** Carries out a plan against AWS through the injected clients. */
export async function deployDags(plan: DeployPlan, deps: DeployDependencies): Promise<void> {
  switch (plan.kind) {
    case "git":
      return printNothingToDeploy(plan, deps.out);
    case "efs":
      return deployEfs(plan, deps);
    case "s3":
      return deployS3(plan, deps);
  }
}

function printNothingToDeploy(plan: Extract<DeployPlan, { kind: "git" }>, out: Output): void {
  for (const bundle of plan.bundles) {
    const folder = bundle.subdir ? ` (folder ${bundle.subdir})` : "";
    out.stdout(
      `bundle "${bundle.name}" of ${plan.config.name} is a git bundle: nothing to deploy. Airflow follows ${bundle.ref} of ${bundle.repository}${folder}; pushing to it delivers.\n`,
    );
  }
}

export interface MainDependencies {
  /** Creates the AWS clients for the environment's region; called only when the plan needs AWS. */
  readonly clients: (region: string) => AwsClients;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
  readonly environmentsDir?: string;
}

export async function main(argv: readonly string[], out: Output, deps: MainDependencies): Promise<number> {
  const plan = planDeployment(argv, deps.environmentsDir);
  if (plan.kind === "git") {
    printNothingToDeploy(plan, out);
    return 0;
  }
  await deployDags(plan, {
    clients: deps.clients(plan.config.account.region),
    sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    now: deps.now ?? (() => new Date()),
    out,
  });
  return 0;
}

if (require.main === module) {
  runAsProcess((argv, out) =>
    main(argv, out, {
      clients: (region) => ({ s3: new S3Client({ region }), ssm: new SSMClient({ region }), ecs: new ECSClient({ region }) }),
    }),
  );
}
