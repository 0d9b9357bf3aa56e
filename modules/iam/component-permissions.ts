import type { AuthConfig, DagBundleConfig } from "../../config/schema";
import { authSecretArns } from "../airflow/auth-settings";
import { HEARTBEAT, QUEUE_METRICS } from "../../runtime/metrics";
import type { ArnBuilder } from "../core/arn";
import type { Naming } from "../core/naming";
import { bundlesOf, s3BundlePrefix } from "../dags/dag-bundles";
import * as grants from "./grants";
import type { PolicyStatement } from "./policy-document";

/** Components with a task role of their own (the IAM contract publishes `<component>_task_role_arn` for each). */
export const TASK_ROLE_COMPONENTS = [
  "api_server",
  "scheduler",
  "dag_processor",
  "triggerer",
  "worker",
  "flower",
  "migrate",
  "cadvisor",
  "dag_sync",
  "db_clean",
  "metrics_collector",
] as const;
export type TaskRoleComponent = (typeof TASK_ROLE_COMPONENTS)[number];

/** The environment's data resources the roles reach: the storage stack's contract, as the IAM stack maps it. */
export interface AirflowDataAccess {
  /** The data key: the secrets, task logs, DAG bucket and file system are encrypted with it. */
  readonly dataKeyArn: string;
  /** The secrets task definitions inject, by what they hold. */
  readonly secretArns: {
    /** The RDS-managed master secret (JSON: username, password); the queue-depth publisher reads it too. */
    readonly database: string;
    /** The Celery broker's auth token. */
    readonly brokerAuthToken: string;
    /** `[core] fernet_key`. */
    readonly fernetKey: string;
    /** `[api] secret_key`. */
    readonly apiSecretKey: string;
    /** `[api_auth] jwt_secret`. */
    readonly jwtSecret: string;
    /** The first admin's password (the migrate task). */
    readonly adminPassword: string;
    /** Flower's basic auth. */
    readonly flowerBasicAuth: string;
  };
  /** The DAG file system, reached only through its access points. */
  readonly dagFileSystem: {
    readonly arn: string;
    readonly dagsAccessPointArn: string;
    readonly pluginsAccessPointArn: string;
  };
  /** Bucket of remote task logs (and the heartbeat's probe objects). */
  readonly taskLogsBucketArn: string;
  /** Bucket of DAG code: S3 bundles under `dags/`, EFS releases under `releases/`. */
  readonly dagBucketArn: string;
}

/** What the permissions are scoped to: the environment's names and ARNs, its data, its DAG bundles. */
export interface ComponentAccess {
  readonly naming: Naming;
  readonly arns: ArnBuilder;
  readonly data: AirflowDataAccess;
  /** The environment's DAG bundles: S3 prefixes the DAG readers may read, Git credentials the execution role injects. */
  readonly bundles: readonly DagBundleConfig[];
  /**
   * Secrets the environment's own Airflow options reference (`airflow.config` values `{ "secretArn": ... }`): the
   * execution role injects them, and reads exactly these.
   * @default none
   */
  readonly optionSecretArns?: readonly string[];
  /** How people sign in: with OIDC, the execution role injects the client secret into the api-server. Absent: no sign-in secret. */
  readonly auth?: AuthConfig;
  /** Tasks notify the environment's topic when they fail (`alarms.taskFailureNotifications`): workers and the dag-processor publish. */
  readonly taskFailureNotifications: boolean;
}

/** A role's description and its statements; no statements makes a role that can do nothing. */
export interface RolePermissions {
  readonly description: string;
  readonly statements: readonly PolicyStatement[];
}

/** The roles besides the task roles: ECS task execution, the hosts, the operations Lambdas. */
export type PlatformRole = "taskExecution" | "containerInstance" | "bastion" | "publisher" | "redeployer" | "dbCleanScheduler";

/** Full prefixes (`dags/<prefix>`) of the environment's S3 bundles. */
export function s3BundlePrefixes(bundles: readonly DagBundleConfig[]): string[] {
  return bundlesOf(bundles, "s3").map((b) => s3BundlePrefix(b.prefix));
}

/** What each component's containers may do, and nothing more (README "IAM"). */
export function taskRolePermissions({
  naming,
  arns,
  data,
  bundles,
  taskFailureNotifications,
}: ComponentAccess): Readonly<Record<TaskRoleComponent, RolePermissions>> {
  const dataKey = data.dataKeyArn;
  const fs = data.dagFileSystem;
  const mountDags = grants.mountDagFileSystem(fs.arn, [fs.dagsAccessPointArn, fs.pluginsAccessPointArn]);
  const secretsBackend = grants.secretsBackend(arns, naming.secretPrefix, dataKey);
  const readLogs = grants.readTaskLogs(arns, data.taskLogsBucketArn, dataKey);
  const writeLogs = grants.writeTaskLogs(arns, data.taskLogsBucketArn, dataKey);
  // Components that initialize DAG bundles (parse DAGs, run tasks, run triggers) read S3 bundles, and only those prefixes.
  const readBundles = grants.readDagBundles(arns, data.dagBucketArn, s3BundlePrefixes(bundles), dataKey);
  // Task failure callbacks run in the worker, and in the dag-processor for tasks killed externally.
  const notifyFailures = taskFailureNotifications ? grants.publishToTopic(arns, naming.alarmTopic, "PublishTaskFailures") : [];
  return {
    api_server: {
      description: "api-server: serve task logs from S3, resolve connections and variables (also for the Execution API), read DAG files",
      statements: [...readLogs, ...secretsBackend, ...mountDags],
    },
    scheduler: {
      description: "scheduler: read task logs, resolve connections and variables, read DAG files",
      statements: [...readLogs, ...secretsBackend, ...mountDags],
    },
    dag_processor: {
      description: "dag-processor: parse DAG files, resolve variables at parse time, upload its logs, notify failures of externally killed tasks",
      statements: [...writeLogs, ...secretsBackend, ...mountDags, ...readBundles, ...notifyFailures],
    },
    triggerer: {
      description: "triggerer: upload trigger logs, resolve connections, read DAG files",
      statements: [...writeLogs, ...secretsBackend, ...mountDags, ...readBundles],
    },
    worker: {
      description: "Celery worker: upload task logs, run the heartbeat probes and metric, protect itself from scale-in while busy, notify task failures",
      statements: [
        ...writeLogs,
        ...grants.heartbeatBucketProbe(data.taskLogsBucketArn),
        ...grants.putMetrics(HEARTBEAT.namespace, "PublishHeartbeat"),
        ...grants.taskProtection(arns, naming.cluster),
        ...mountDags,
        ...readBundles,
        ...notifyFailures,
      ],
    },
    flower: { description: "Flower: talks to the broker only, needs no AWS API", statements: [] },
    migrate: {
      description: "migrate: migrates the database, then records the Airflow version that did in its SSM parameter",
      statements: grants.writeParameter(arns, naming.migrationRecordParameter, "RecordMigration"),
    },
    cadvisor: { description: "cAdvisor: reads host metrics only, needs no AWS API", statements: [] },
    dag_sync: {
      description: "DAG sync task: read uploaded EFS releases, switch the bundle on the DAG file system (access point, read-write)",
      statements: [...grants.readDagReleases(arns, data.dagBucketArn, dataKey), ...grants.mountDagFileSystem(fs.arn, [fs.dagsAccessPointArn], true)],
    },
    db_clean: { description: "db-clean: `airflow db clean` talks to the database only, needs no AWS API", statements: [] },
    metrics_collector: {
      description: "Metrics collector: find the cAdvisor tasks of the cluster, publish metrics as EMF events into its log group",
      statements: [...grants.ecsTaskDiscovery(arns, naming.cluster), ...grants.writeMetricEvents(arns.of("logs", `log-group:${naming.metricsLogGroup}`))],
    },
  };
}

/** What the task execution role, the hosts and the operations Lambdas may do. */
export function platformRolePermissions({
  naming,
  arns,
  data,
  bundles,
  optionSecretArns = [],
  auth,
}: ComponentAccess): Readonly<Record<PlatformRole, RolePermissions>> {
  const dataKey = data.dataKeyArn;
  const secrets = data.secretArns;
  const fs = data.dagFileSystem;
  const cluster = naming.cluster;
  const lambdas = naming.lambdas;
  const environmentLogs = arns.of("logs", `log-group:${naming.logGroupPrefix}/*`);
  // Git DAG bundles' connections (token or deploy key), only where git bundles have credentials.
  const gitCredentials = [...new Set(bundlesOf(bundles, "git").flatMap((b) => (b.credentialsSecretArn ? [b.credentialsSecretArn] : [])))];
  const injected = [
    secrets.database,
    secrets.brokerAuthToken,
    secrets.fernetKey,
    secrets.apiSecretKey,
    secrets.jwtSecret,
    secrets.adminPassword,
    secrets.flowerBasicAuth,
    ...gitCredentials,
    ...optionSecretArns,
    ...(auth ? authSecretArns(auth) : []),
  ];
  return {
    taskExecution: {
      description: "ECS task execution: pull the Airflow image, write container logs, inject the task secrets",
      statements: [
        ...grants.pullImages(arns.of("ecr", `repository/${naming.imageRepository}`)),
        ...grants.writeLogs(environmentLogs),
        ...grants.readSecrets(arns, injected, dataKey, "InjectTaskSecrets"),
      ],
    },
    containerInstance: {
      description: "ECS container instances: the ECS agent in this cluster, host logs, Session Manager",
      statements: [...grants.ecsAgent(arns, cluster), ...grants.writeLogs(environmentLogs), ...grants.sessionManager(arns)],
    },
    bastion: {
      description: "Bastion: Session Manager, and DAG/plugin uploads to EFS through the access points",
      statements: [...grants.sessionManager(arns), ...grants.mountDagFileSystem(fs.arn, [fs.dagsAccessPointArn, fs.pluginsAccessPointArn], true)],
    },
    publisher: {
      description: "Queue-depth publisher Lambda: read the database secret, count queued and running tasks, publish scaling metrics",
      statements: [
        ...grants.lambdaVpcAccess(),
        ...grants.writeLogs(arns.of("logs", `log-group:${naming.logGroup(`lambda/${lambdas.publisher}`)}`)),
        ...grants.readSecrets(arns, [secrets.database], dataKey, "ReadDatabaseSecret"),
        ...grants.putMetrics(QUEUE_METRICS.namespace, "PublishQueueMetrics"),
        { sid: "ReadWorkerServices", actions: ["ecs:DescribeServices"], resources: [arns.of("ecs", `service/${cluster}/${naming.name("worker")}-*`)] },
        ...grants.sendToQueue(arns.of("sqs", lambdas.publisherDlq)),
        ...grants.tracing(),
      ],
    },
    redeployer: {
      description: "Redeploys the Airflow services after the database master secret rotates, so new tasks read the new password",
      statements: [
        ...grants.writeLogs(arns.of("logs", `log-group:${naming.logGroup(`lambda/${lambdas.redeployer}`)}`)),
        {
          sid: "RedeployAirflowServices",
          actions: ["ecs:DescribeServices", "ecs:UpdateService"],
          resources: [arns.of("ecs", `service/${cluster}/${naming.base}-*`)],
        },
        ...grants.sendToQueue(arns.of("sqs", lambdas.redeployerDlq)),
        ...grants.tracing(),
      ],
    },
    dbCleanScheduler: {
      description: "EventBridge Scheduler: start the db-clean task in the cluster, dead-letter what it cannot start",
      statements: [
        // The roles by name: both are created beside this one, and the scheduler may hand over exactly these two.
        ...grants.runTaskFamily(arns, cluster, naming.dbClean.family, [
          roleArnOf(arns, executionRoleName(naming)),
          roleArnOf(arns, taskRoleName(naming, "db_clean")),
        ]),
        ...grants.sendToQueue(arns.of("sqs", naming.dbClean.deadLetterQueue)),
      ],
    },
  };
}

/** Name of the ECS task execution role. */
export function executionRoleName(naming: Naming): string {
  return naming.name("task-execution");
}

/** Name of a component's task role, e.g. `airflow-prod-dag-processor-task`. */
export function taskRoleName(naming: Naming, component: TaskRoleComponent): string {
  return naming.name(`${component.replace(/_/g, "-")}-task`);
}

/** The ARN of an IAM role of this account, by name. */
export function roleArnOf(arns: ArnBuilder, name: string): string {
  return arns.of("iam", `role/${name}`, "");
}
