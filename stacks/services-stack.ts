import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/schema";
import { FLOWER_PATH, type AirflowLoadBalancer } from "../modules/alb/airflow-load-balancer";
import type { AirflowService } from "../modules/airflow/airflow-service";
import type { CoreComponent } from "../modules/airflow/components";
import type { WorkerPool } from "../modules/airflow/worker-pool";
import type { ContractValues } from "../modules/core/contract";
import type { DagSync } from "../modules/dags/dag-sync";
import type { Cadvisor } from "../modules/ecs/cadvisor";
import type { MetricsCollector } from "../modules/metrics/metrics-collector";
import type { AirflowOperations } from "../modules/operations/airflow-operations";
import type { DatabaseCleanup } from "../modules/operations/database-cleanup";
import type { Hibernation } from "../modules/operations/hibernation";
import { AirflowStack } from "./airflow-stack";
import { airflowRuntime } from "./airflow-runtime";
import { airflowServiceDefaults, coreServices, workerPools } from "./airflow-services";
import type { ComputeStack, ComputeStackProps } from "./compute-stack";
import type { ComputeContract } from "./contracts/compute";
import type { IamContract } from "./contracts/iam";
import type { NetworkContract } from "./contracts/network";
import { servicesContract, type ServicesContract } from "./contracts/services";
import type { StorageContract } from "./contracts/storage";
import { environmentHibernation } from "./services-hibernation";
import { environmentLoadBalancer, flowerBehindAlb } from "./services-ingress";
import { environmentDagSync, environmentDatabaseCleanup } from "./services-maintenance";
import { clusterCadvisor, environmentMetricsCollector, environmentOperations } from "./services-observability";

/** The services read every stack before them: the compute stack's inputs, and the compute stack itself. */
export interface ServicesStackProps extends ComputeStackProps {
  readonly compute: ComputeStack;
}

/**
 * Services: every Airflow 3 component as an ECS service — the api-server behind the ALB (and in service discovery
 * for the workers' Execution API), scheduler, dag-processor, triggerer, Flower (`CORE_COMPONENTS`), one service per
 * Celery worker pool — cAdvisor on every container instance, the metrics collector (Airflow's OpenTelemetry metrics
 * and cAdvisor's, into CloudWatch), the DAG sync task that delivers EFS bundles, and their operations: queue-depth
 * autoscaling, heartbeat, alarms, dashboard, the scheduled `airflow db clean`; and, where configured, hibernation.
 */
export class ServicesStack extends AirflowStack<ServicesContract> {
  readonly network: ContractValues<NetworkContract>;
  readonly storage: ContractValues<StorageContract>;
  readonly iam: ContractValues<IamContract>;
  readonly compute: ContractValues<ComputeContract>;
  readonly alb: AirflowLoadBalancer;
  readonly services: Readonly<Partial<Record<CoreComponent, AirflowService>>>;
  readonly workerPools: readonly WorkerPool[];
  readonly cadvisor: Cadvisor;
  readonly dagSync: DagSync;
  readonly metricsCollector: MetricsCollector;
  readonly operations: AirflowOperations;
  readonly databaseCleanup: DatabaseCleanup;
  /** Nights-and-weekends hibernation, when configured (created last: it covers every service, alarm and schedule of the stack). */
  readonly hibernation?: Hibernation;

  constructor(scope: Construct, config: EnvironmentConfig, props: ServicesStackProps) {
    super(scope, config, servicesContract);
    this.network = this.consume(props.network);
    this.storage = this.consume(props.storage);
    this.iam = this.consume(props.iam);
    this.compute = this.consume(props.compute);

    this.alb = environmentLoadBalancer(this);
    const runtime = airflowRuntime(this, this.storage, {
      namespace: this.compute.service_discovery_namespace_name,
      baseUrl: this.alb.url(config.alb.hostname),
      flowerUrlPrefix: flowerBehindAlb(this) ? FLOWER_PATH : undefined,
      dagBucket: this.storage.dag_bucket_name,
    });
    const defaults = airflowServiceDefaults(this, runtime);
    this.services = coreServices(this, defaults, this.alb);
    this.workerPools = workerPools(this, defaults);
    this.cadvisor = clusterCadvisor(this, defaults);
    this.dagSync = environmentDagSync(this, defaults);
    this.metricsCollector = environmentMetricsCollector(this, defaults);
    this.operations = environmentOperations(this, runtime);
    this.databaseCleanup = environmentDatabaseCleanup(this, defaults, runtime);
    if (config.hibernation) this.hibernation = environmentHibernation(this, config.hibernation);

    this.publish({
      airflow_url: runtime.baseUrl!,
      alb_dns_name: this.alb.dnsName,
      service_names: Object.values(this.services).map((s) => s.serviceName),
      worker_service_names: this.workerPools.map((p) => p.serviceName),
    });
  }
}
