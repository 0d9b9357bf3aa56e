import { defineContract, output } from "../../modules/core/contract";

/**
 * What the services stack publishes: no stack reads it (services is the last stack); operators, the migrate script
 * and dashboards do.
 */
export const servicesContract = defineContract("services", {
  airflow_url: output.string("URL of the Airflow UI and REST API"),
  alb_dns_name: output.string("DNS name of the ALB (point alb.hostname's record at it)"),
  service_names: output.list("ECS services of the environment, api-server first"),
  worker_service_names: output.list("ECS services of the worker pools, in config order"),
});

export type ServicesContract = typeof servicesContract.outputs;
