import type { Naming } from "../core/naming";

/**
 * What `npm run deploy-dags` needs to find at run time, published by the services stack as one SSM parameter
 * (`dagDeliveryParameterName`), so a DAG repository's pipeline needs neither Terraform state access nor ids in
 * its configuration: the DAG bucket and where and how to run the one-off sync task.
 */
export interface DagDeliveryTarget {
  readonly environment: string;
  /** The environment's DAG bucket (DAG_BUCKET_LAYOUT). */
  readonly bucket: string;
  readonly cluster: string;
  /** Family of the sync task definition (RunTask starts its latest revision). */
  readonly syncTaskDefinition: string;
  /** Container of the sync task that receives the per-run environment (bundle, version). */
  readonly syncContainer: string;
  /** awsvpc configuration of the sync task (Fargate). */
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
  /** CloudWatch Logs group and stream prefix of the sync task (its log stream is `<prefix>/<container>/<task id>`). */
  readonly syncLogGroup: string;
  readonly syncLogStreamPrefix: string;
}

/** `/<prefix>/<env>/dag-delivery` */
export function dagDeliveryParameterName(naming: Naming): string {
  return `/${naming.prefix}/${naming.environment}/dag-delivery`;
}

/** Names of the sync task and of the OIDC role DAG repositories deliver with, derived from the environment's naming. */
export function dagDeliveryNames(naming: Naming) {
  return {
    syncTaskFamily: naming.name("dag-sync"),
    syncContainer: "dag-sync",
    syncLogGroup: naming.logGroup("dag-sync"),
    deployRole: naming.name("ci-dags"),
  };
}
