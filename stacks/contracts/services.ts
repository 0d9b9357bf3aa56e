import type { EnvironmentConfig } from "../../config/schema";
import { defineContract, output } from "../../modules/core/contract";
import { Naming } from "../../modules/core/naming";

const naming = (c: EnvironmentConfig) => new Naming(c.namePrefix, c.name, c.account.id);

/**
 * What the services stack publishes: no stack reads it (services is the last stack); operators, the migrate script
 * and dashboards do.
 */
export const servicesContract = defineContract("services", {
  airflow_url: output.string("URL of the Airflow UI and REST API", (c) =>
    c.alb.hostname ? `https://${c.alb.hostname}` : `http://internal-${naming(c).name("alb")}.elb.amazonaws.com`,
  ),
  alb_dns_name: output.string(
    "DNS name of the ALB (point alb.hostname's record at it)",
    (c) => `internal-${naming(c).name("alb")}-123456789.${c.account.region}.elb.amazonaws.com`,
  ),
  service_names: output.list("ECS services of the environment, api-server first", (c) => ["api-server", "scheduler"].map((s) => naming(c).name(s))),
  worker_service_names: output.list("ECS services of the worker pools, in config order", (c) => c.workerPools.map((p) => naming(c).name(`worker-${p.name}`))),
});

export type ServicesContract = typeof servicesContract.outputs;
