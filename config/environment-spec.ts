/**
 * The spec of an environment file, one declaration per field (kind, allowed values, default or derivation, doc),
 * assembled from the parts in `spec/`. `schema.ts` infers the config types from it; `load.ts` checks files against
 * it and applies its defaults; `npm run config-doc` renders it.
 */
import { airflow } from "./spec/airflow";
import { alarms } from "./spec/alarms";
import { alb } from "./spec/alb";
import { ci } from "./spec/ci";
import { compute } from "./spec/compute";
import { dags } from "./spec/dags";
import { hibernation } from "./spec/hibernation";
import { identity } from "./spec/identity";
import { obj } from "./spec/language";
import { network } from "./spec/network";
import { storage } from "./spec/storage";
import { workerPools } from "./spec/workers";

export { CIDR_TEXT, LOG_RETENTION_DAYS, REGION_PATTERN } from "./spec/common";

export const ENVIRONMENT_SPEC = obj({ ...identity, network, storage, compute, airflow, workerPools, dags, alb, alarms, ci, hibernation });
