import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/schema";
import { optionSecretArns, resolveAirflowOptions } from "../config/derived/airflow-options";
import { HEARTBEAT, QUEUE_METRICS } from "../runtime/metrics";
import type { ContractValues } from "../modules/core/contract";
import { bundlesOf, s3BundlePrefix } from "../modules/dags/dag-bundles";
import { dagDeliveryNames, dagDeliveryParameterName } from "../modules/dags/dag-delivery";
import { DagDeployRole } from "../modules/iam/dag-deploy-role";
import { GitHubCiRoles, githubOidcProviderArn } from "../modules/iam/github-ci-roles";
import * as grants from "../modules/iam/grants";
import { serviceTrustPolicy, type PolicyStatement } from "../modules/iam/policy-document";
import { ServiceRole } from "../modules/iam/service-role";
import { AirflowStack } from "./airflow-stack";
import { iamContract, TASK_ROLE_COMPONENTS, type IamContract, type TaskRoleComponent } from "./contracts/iam";
import type { StorageContract } from "./contracts/storage";
import type { StorageStack } from "./storage-stack";

export interface IamStackProps {
  readonly storage: StorageStack;
}

/**
 * IAM: one task execution role, one task role per component with only what that component does, the container
 * instance and bastion roles (ECS agent, Session Manager), the Lambda roles, and optionally the GitHub OIDC CI roles.
 * Every grant names this environment's resources; the storage contract supplies the ARNs AWS generates.
 */
export class IamStack extends AirflowStack<IamContract> {
  readonly storage: ContractValues<StorageContract>;
  readonly taskExecution: ServiceRole;
  readonly taskRoles: Readonly<Record<TaskRoleComponent, ServiceRole>>;
  readonly containerInstance: ServiceRole;
  readonly bastion: ServiceRole;
  readonly publisher: ServiceRole;
  readonly redeployer: ServiceRole;
  readonly ci?: GitHubCiRoles;
  readonly dagDeploy?: DagDeployRole;

  constructor(scope: Construct, config: EnvironmentConfig, props: IamStackProps) {
    super(scope, config, iamContract);
    this.storage = this.consume(props.storage);
    const { naming, arns } = this;
    const s = this.storage;
    const dataKey = s.data_kms_key_arn;
    const cluster = naming.cluster;
    const environmentLogs = arns.of("logs", `log-group:${naming.logGroupPrefix}/*`);
    const lambdas = naming.lambdas;
    const bundles = config.dags.bundles;
    const s3BundlePrefixes = bundlesOf(bundles, "s3").map((b) => s3BundlePrefix(b.prefix));
    const gitCredentials = [...new Set(bundlesOf(bundles, "git").flatMap((b) => (b.credentialsSecretArn ? [b.credentialsSecretArn] : [])))];

    const ecsTasksTrust = serviceTrustPolicy([arns.servicePrincipal("ecs-tasks")], arns.account, [
      { test: "ArnLike", variable: "aws:SourceArn", values: [arns.of("ecs", "*")] },
    ]);
    // EC2 does not send aws:SourceAccount when it assumes an instance role, so the trust names the principal alone.
    const ec2Trust = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Sid: "TrustedServices", Effect: "Allow", Principal: { Service: [arns.servicePrincipal("ec2")] }, Action: ["sts:AssumeRole"] }],
    });
    const lambdaTrust = serviceTrustPolicy([arns.servicePrincipal("lambda")], arns.account);

    this.taskExecution = new ServiceRole(this, "task-execution", {
      name: naming.name("task-execution"),
      description: "ECS task execution: pull the Airflow image, write container logs, inject the task secrets",
      assumeRolePolicy: ecsTasksTrust,
      statements: [
        ...grants.pullImages(arns.of("ecr", `repository/${naming.imageRepository}`)),
        ...grants.writeLogs(environmentLogs),
        ...grants.readSecrets(
          arns,
          [
            s.db_master_secret_arn,
            s.redis_auth_token_secret_arn,
            s.fernet_key_secret_arn,
            s.api_secret_key_secret_arn,
            s.jwt_secret_secret_arn,
            s.admin_password_secret_arn,
            s.flower_basic_auth_secret_arn,
            // Git DAG bundles' connections (token or deploy key), only where git bundles have credentials.
            ...gitCredentials,
            // The environment's own Airflow options kept in Secrets Manager (airflow.config), exactly those.
            ...optionSecretArns(resolveAirflowOptions(config)),
          ],
          dataKey,
          "InjectTaskSecrets",
        ),
      ],
    });

    const mountDags = grants.mountDagFileSystem(s.efs_file_system_arn, [s.efs_dags_access_point_arn, s.efs_plugins_access_point_arn]);
    const secretsBackend = grants.secretsBackend(arns, naming.secretPrefix, dataKey);
    const readLogs = grants.readTaskLogs(arns, s.task_logs_bucket_arn, dataKey);
    const writeLogs = grants.writeTaskLogs(arns, s.task_logs_bucket_arn, dataKey);
    // Components that initialize DAG bundles (parse DAGs, run tasks, run triggers) read S3 bundles, and only those prefixes.
    const readBundles = grants.readDagBundles(arns, s.dag_bucket_arn, s3BundlePrefixes, dataKey);
    /** What each component's containers may do; an empty list makes a role that can do nothing. */
    const permissions: Readonly<Record<TaskRoleComponent, { description: string; statements: PolicyStatement[] }>> = {
      api_server: {
        description: "api-server: serve task logs from S3, resolve connections and variables (also for the Execution API), read DAG files",
        statements: [...readLogs, ...secretsBackend, ...mountDags],
      },
      scheduler: {
        description: "scheduler: read task logs, resolve connections and variables, read DAG files",
        statements: [...readLogs, ...secretsBackend, ...mountDags],
      },
      dag_processor: {
        description: "dag-processor: parse DAG files, resolve variables at parse time, upload its logs",
        statements: [...writeLogs, ...secretsBackend, ...mountDags, ...readBundles],
      },
      triggerer: {
        description: "triggerer: upload trigger logs, resolve connections, read DAG files",
        statements: [...writeLogs, ...secretsBackend, ...mountDags, ...readBundles],
      },
      worker: {
        description: "Celery worker: upload task logs, run the heartbeat probes and metric, protect itself from scale-in while busy",
        statements: [
          ...writeLogs,
          ...grants.heartbeatBucketProbe(s.task_logs_bucket_arn),
          ...grants.putMetrics(HEARTBEAT.namespace, "PublishHeartbeat"),
          ...grants.taskProtection(arns, cluster),
          ...mountDags,
          ...readBundles,
        ],
      },
      flower: { description: "Flower: talks to the broker only, needs no AWS API", statements: [] },
      migrate: { description: "migrate: talks to the database only, needs no AWS API", statements: [] },
      cadvisor: { description: "cAdvisor: reads host metrics only, needs no AWS API", statements: [] },
      dag_sync: {
        description: "DAG sync task: read uploaded EFS releases, switch the bundle on the DAG file system (access point, read-write)",
        statements: [
          ...grants.readDagReleases(arns, s.dag_bucket_arn, dataKey),
          ...grants.mountDagFileSystem(s.efs_file_system_arn, [s.efs_dags_access_point_arn], true),
        ],
      },
    };
    const taskRoles = {} as Record<TaskRoleComponent, ServiceRole>;
    for (const component of TASK_ROLE_COMPONENTS) {
      const dashed = component.replace(/_/g, "-");
      taskRoles[component] = new ServiceRole(this, `${dashed}-task`, {
        name: naming.name(`${dashed}-task`),
        description: permissions[component].description,
        assumeRolePolicy: ecsTasksTrust,
        statements: permissions[component].statements,
      });
    }
    this.taskRoles = taskRoles;

    this.containerInstance = new ServiceRole(this, "container-instance", {
      name: naming.name("container-instance"),
      description: "ECS container instances: the ECS agent in this cluster, host logs, Session Manager",
      assumeRolePolicy: ec2Trust,
      instanceProfile: true,
      statements: [...grants.ecsAgent(arns, cluster), ...grants.writeLogs(environmentLogs), ...grants.sessionManager(arns)],
    });

    this.bastion = new ServiceRole(this, "bastion", {
      name: naming.name("bastion"),
      description: "Bastion: Session Manager, and DAG/plugin uploads to EFS through the access points",
      assumeRolePolicy: ec2Trust,
      instanceProfile: true,
      statements: [
        ...grants.sessionManager(arns),
        ...grants.mountDagFileSystem(s.efs_file_system_arn, [s.efs_dags_access_point_arn, s.efs_plugins_access_point_arn], true),
      ],
    });

    this.publisher = new ServiceRole(this, "queue-depth-publisher", {
      name: lambdas.publisher,
      description: "Queue-depth publisher Lambda: read the database secret, count queued and running tasks, publish scaling metrics",
      assumeRolePolicy: lambdaTrust,
      statements: [
        ...grants.lambdaVpcAccess(),
        ...grants.writeLogs(arns.of("logs", `log-group:${naming.logGroup(`lambda/${lambdas.publisher}`)}`)),
        ...grants.readSecrets(arns, [s.db_master_secret_arn], dataKey, "ReadDatabaseSecret"),
        ...grants.putMetrics(QUEUE_METRICS.namespace, "PublishQueueMetrics"),
        { sid: "ReadWorkerServices", actions: ["ecs:DescribeServices"], resources: [arns.of("ecs", `service/${cluster}/${naming.name("worker")}-*`)] },
        ...grants.sendToQueue(arns.of("sqs", lambdas.publisherDlq)),
        ...grants.tracing(),
      ],
    });

    this.redeployer = new ServiceRole(this, "service-redeployer", {
      name: lambdas.redeployer,
      description: "Redeploys the Airflow services after the database master secret rotates, so new tasks read the new password",
      assumeRolePolicy: lambdaTrust,
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
    });

    if (config.ci.githubRepository) {
      this.ci = new GitHubCiRoles(this, "ci", {
        repository: config.ci.githubRepository,
        environment: config.name,
        createProvider: config.ci.createOidcProvider,
        naming,
        arns,
        stateBucket: config.state.bucket,
        dataKeyArn: dataKey,
      });
    }

    if (config.dags.deployRepositories.length > 0) {
      const delivery = dagDeliveryNames(naming);
      this.dagDeploy = new DagDeployRole(this, "dag-deploy", {
        name: delivery.deployRole,
        environment: config.name,
        repositories: config.dags.deployRepositories,
        // The provider resource when this stack creates it, so the role waits for it.
        oidcProviderArn: this.ci?.providerArn ?? githubOidcProviderArn(arns),
        arns,
        bucketArn: s.dag_bucket_arn,
        dataKeyArn: dataKey,
        efsBundles: bundlesOf(bundles, "efs").map((b) => b.name),
        s3Prefixes: s3BundlePrefixes,
        parameterName: dagDeliveryParameterName(naming),
        clusterName: cluster,
        syncTaskFamily: delivery.syncTaskFamily,
        syncTaskRoleArns: [this.taskExecution.arn, taskRoles.dag_sync.arn],
      });
    }

    this.publish({
      task_execution_role_arn: this.taskExecution.arn,
      ...(Object.fromEntries(TASK_ROLE_COMPONENTS.map((c) => [`${c}_task_role_arn`, taskRoles[c].arn])) as Record<
        `${TaskRoleComponent}_task_role_arn`,
        string
      >),
      container_instance_role_arn: this.containerInstance.arn,
      container_instance_profile_arn: this.containerInstance.profile!.arn,
      bastion_instance_profile_arn: this.bastion.profile!.arn,
      publisher_lambda_role_arn: this.publisher.arn,
      redeployer_lambda_role_arn: this.redeployer.arn,
    });
  }
}
