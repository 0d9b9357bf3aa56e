import { hibernationSchedules } from "../../config/hibernation";
import { runsOnContainerInstances } from "../../config/spot";
import { TLS_POLICY } from "../../modules/alb/airflow-load-balancer";
import { HEARTBEAT, QUEUE_METRICS } from "../../runtime/metrics";
import { PUBLISHER_ENV } from "../../runtime/lambda";
import { CADVISOR_IMAGE } from "../../modules/ecs/cadvisor";
import { worstCaseScaleOutSeconds } from "../../modules/operations/queue-depth-scaling";
import { only, repoEnvironments, resources, snapshotText, stackJson } from "../support/synth";

const ref = (contract: string, output: string) => `\${data.terraform_remote_state.${contract}_contract.outputs.${output}}`;

describe.each(repoEnvironments().map((c) => [c.name, c] as const))("ServicesStack (%s)", (_name, config) => {
  const json = stackJson(config.name, "services");
  const all = (type: string) => Object.values(resources(json, type)) as Record<string, any>[];
  const base = `${config.namePrefix}-${config.name}`;
  const task = (family: string) => all("aws_ecs_task_definition").find((t) => t.family === `${base}-${family}`)!;
  const containers = (family: string) => JSON.parse(task(family).container_definitions) as Record<string, any>[];
  const main = (family: string, name = family) => containers(family).find((c) => c.name === name)!;
  const service = (name: string) => all("aws_ecs_service").find((s) => s.name === `${base}-${name}`)!;
  const envOf = (container: Record<string, any>) => Object.fromEntries(container.environment.map((e: any) => [e.name, e.value]));
  const secretNames = (container: Record<string, any>) => container.secrets.map((s: any) => s.name).sort();
  const gitCredentialVariables = config.dags.bundles.flatMap((b) =>
    b.source === "git" && b.credentialsSecretArn ? [`AIRFLOW_CONN_DAG_BUNDLE_${b.name.toUpperCase()}`] : [],
  );

  it("matches the reviewed snapshot", () => {
    expect(snapshotText(json)).toMatchSnapshot();
  });

  it("reads the network, storage, IAM and compute contracts", () => {
    expect(Object.keys(json.data?.terraform_remote_state ?? {}).sort()).toEqual(["compute_contract", "iam_contract", "network_contract", "storage_contract"]);
  });

  describe("ALB", () => {
    const lb = only(json, "aws_lb") as Record<string, any>;

    it(`is ${config.alb.internetFacing ? "internet-facing in the public" : "internal in the private"} subnets, drops invalid headers and logs access`, () => {
      expect(lb).toMatchObject({
        internal: !config.alb.internetFacing,
        subnets: ref("network", config.alb.internetFacing ? "public_subnet_ids" : "private_subnet_ids"),
        security_groups: [ref("network", "alb_security_group_id")],
        drop_invalid_header_fields: true,
        desync_mitigation_mode: "defensive",
        access_logs: { bucket: ref("storage", "alb_logs_bucket_name"), prefix: "alb", enabled: true },
        enable_deletion_protection: config.production,
      });
    });

    it(config.alb.certificateArn ? "serves HTTPS with TLS 1.2+ and redirects HTTP" : "serves HTTP only (no certificate configured)", () => {
      const listeners = all("aws_lb_listener").map((l) => [l.port, l.protocol, l.ssl_policy ?? null, l.default_action[0].type]);
      expect(listeners.sort()).toEqual(
        config.alb.certificateArn
          ? [
              [443, "HTTPS", TLS_POLICY, "forward"],
              [80, "HTTP", null, "redirect"],
            ].sort()
          : [[80, "HTTP", null, "forward"]],
      );
    });

    it("health-checks the api-server on /api/v2/version and deregisters within 30 s", () => {
      const api = all("aws_lb_target_group").find((t) => t.port === 8080)!;
      expect(api).toMatchObject({ target_type: "ip", protocol: "HTTP", deregistration_delay: "30", health_check: { path: "/api/v2/version", matcher: "200" } });
    });

    it(`${config.alb.internetFacing ? "is" : "is not"} protected by AWS WAF managed rules`, () => {
      expect(all("aws_wafv2_web_acl_association")).toHaveLength(config.alb.internetFacing ? 1 : 0);
      if (config.alb.internetFacing) {
        expect(JSON.parse(only(json, "aws_wafv2_web_acl").rule_json as string).map((r: any) => r.Name)).toEqual([
          "AWSManagedRulesCommonRuleSet",
          "AWSManagedRulesKnownBadInputsRuleSet",
          "AWSManagedRulesAmazonIpReputationList",
        ]);
      }
    });
  });

  describe("Airflow components", () => {
    const expected: Record<string, { command: string[]; port?: number; health: RegExp; secrets: string[]; sg: string; role: string }> = {
      "api-server": {
        command: ["api-server", "--proxy-headers"],
        port: 8080,
        health: /curl -fsS http:\/\/localhost:8080\/api\/v2\/version/,
        secrets: ["AIRFLOW_ECS_DB_PASSWORD", "AIRFLOW_ECS_DB_USER", "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY", "AIRFLOW__CORE__FERNET_KEY"],
        sg: "api_server",
        role: "api_server",
      },
      scheduler: {
        command: ["scheduler"],
        health: /curl -fsS http:\/\/localhost:8974\/health/,
        secrets: [
          "AIRFLOW_ECS_DB_PASSWORD",
          "AIRFLOW_ECS_DB_USER",
          "AIRFLOW_ECS_REDIS_AUTH_TOKEN",
          "AIRFLOW__API_AUTH__JWT_SECRET",
          "AIRFLOW__CORE__FERNET_KEY",
        ],
        sg: "services",
        role: "scheduler",
      },
      "dag-processor": {
        command: ["dag-processor"],
        health: /airflow jobs check --job-type DagProcessorJob --local/,
        secrets: ["AIRFLOW_ECS_DB_PASSWORD", "AIRFLOW_ECS_DB_USER", "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__CORE__FERNET_KEY"],
        sg: "services",
        role: "dag_processor",
      },
      triggerer: {
        command: ["triggerer"],
        port: 8794,
        health: /airflow jobs check --job-type TriggererJob --local/,
        secrets: ["AIRFLOW_ECS_DB_PASSWORD", "AIRFLOW_ECS_DB_USER", "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY", "AIRFLOW__CORE__FERNET_KEY"],
        sg: "services",
        role: "triggerer",
      },
      flower: {
        command: ["celery", "flower"],
        port: 5555,
        health: /curl -fsS http:\/\/localhost:5555\/healthcheck/,
        secrets: ["AIRFLOW_ECS_DB_PASSWORD", "AIRFLOW_ECS_DB_USER", "AIRFLOW_ECS_REDIS_AUTH_TOKEN", "AIRFLOW__CELERY__FLOWER_BASIC_AUTH"],
        sg: "services",
        role: "flower",
      },
    };

    it.each(Object.entries(expected))("%s runs its command as Airflow's user on a read-only root with its health check, port and secrets", (name, spec) => {
      const container = main(name);
      expect(container).toMatchObject({ command: spec.command, user: "50000:0", readonlyRootFilesystem: true, privileged: false, essential: true });
      expect(container.healthCheck.command.join(" ")).toMatch(spec.health);
      if (!/curl/.test(container.healthCheck.command[1])) expect(container.healthCheck.command[1]).toContain(`ecs_export_connections ${name}`);
      expect(container.portMappings.map((p: any) => p.containerPort)).toEqual(spec.port ? [spec.port] : []);
      // (components that fetch DAG bundles also get the Git bundles' connections: tested with the DAG bundles)
      const gitConnections = ["dag-processor", "triggerer"].includes(name) ? gitCredentialVariables : [];
      // (and the api-server of an OIDC environment the client secret: tested with sign-in)
      const signIn = name === "api-server" && config.airflow.auth.kind === "oidc" ? ["AIRFLOW_ECS_OIDC_CLIENT_SECRET"] : [];
      expect(secretNames(container)).toEqual([...spec.secrets, ...gitConnections, ...signIn].sort());
      expect(container.logConfiguration).toMatchObject({
        logDriver: "awslogs",
        options: { "awslogs-group": `/${config.namePrefix}/${config.name}/${name}`, mode: "non-blocking" },
      });
      expect(task(name)).toMatchObject({
        execution_role_arn: ref("iam", "task_execution_role_arn"),
        task_role_arn: ref("iam", `${spec.role}_task_role_arn`),
        network_mode: "awsvpc",
      });
      expect(service(name).network_configuration).toEqual({
        subnets: ref("network", "private_subnet_ids"),
        security_groups: [ref("network", `${spec.sg}_security_group_id`)],
        assign_public_ip: false,
      });
    });

    it.each(["api-server", "scheduler", "dag-processor", "triggerer"])("%s starts only after `airflow db check-migrations` succeeds", (name) => {
      const init = containers(name).find((c) => c.name === "wait-for-migrations")!;
      expect(init).toMatchObject({
        essential: false,
        command: ["db", "check-migrations", "--migration-wait-timeout=600"],
        user: "50000:0",
        readonlyRootFilesystem: true,
      });
      expect(main(name).dependsOn).toEqual([{ containerName: "wait-for-migrations", condition: "SUCCESS" }]);
    });

    it("mounts DAGs and plugins read-only from EFS with TLS, IAM authorization and access points; logs and /tmp writable", () => {
      const volumes = task("scheduler").volume as Record<string, any>[];
      expect(volumes.map((v) => v.name).sort()).toEqual(["dags", "logs", "plugins", "tmp"]);
      expect(volumes.find((v) => v.name === "dags")!.efs_volume_configuration).toEqual({
        file_system_id: ref("storage", "efs_file_system_id"),
        transit_encryption: "ENABLED",
        authorization_config: { access_point_id: ref("storage", "efs_dags_access_point_id"), iam: "ENABLED" },
      });
      expect(main("scheduler").mountPoints).toEqual([
        { sourceVolume: "logs", containerPath: "/opt/airflow/logs", readOnly: false },
        { sourceVolume: "tmp", containerPath: "/tmp", readOnly: false },
        { sourceVolume: "dags", containerPath: "/opt/airflow/dags", readOnly: true },
        { sourceVolume: "plugins", containerPath: "/opt/airflow/plugins", readOnly: true },
      ]);
    });

    it("configures Celery, remote logging to the task-log bucket, the secrets backend and the internal Execution API", () => {
      const env = envOf(main("scheduler"));
      expect(env).toMatchObject({
        AIRFLOW__CORE__EXECUTOR: "CeleryExecutor",
        AIRFLOW__CORE__LOAD_EXAMPLES: "False",
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL: `http://api-server.${ref("compute", "service_discovery_namespace_name")}:8080/execution/`,
        AIRFLOW__LOGGING__REMOTE_LOGGING: "True",
        AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER: `s3://${ref("storage", "task_logs_bucket_name")}/logs`,
        AIRFLOW__SECRETS__BACKEND: "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend",
        AIRFLOW__CORE__AUTH_MANAGER: "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager",
        AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK: "True",
      });
      expect(JSON.parse(env.AIRFLOW__SECRETS__BACKEND_KWARGS)).toEqual({
        connections_prefix: `${config.namePrefix}/${config.name}/connections`,
        variables_prefix: `${config.namePrefix}/${config.name}/variables`,
        config_prefix: null,
      });
    });

    it("puts the api-server behind the ALB and in service discovery, with a health-check grace period", () => {
      expect(service("api-server")).toMatchObject({
        desired_count: config.airflow.apiServer.desiredCount,
        health_check_grace_period_seconds: 180,
        load_balancer: [{ container_name: "api-server", container_port: 8080, target_group_arn: expect.stringContaining("aws_lb_target_group") }],
        service_registries: { registry_arn: expect.stringContaining("aws_service_discovery_service") },
      });
      expect(all("aws_service_discovery_service").find((d) => d.name === "api-server")).toMatchObject({
        name: "api-server",
        dns_config: { namespace_id: ref("compute", "service_discovery_namespace_id"), dns_records: [{ type: "A", ttl: 10 }] },
      });
    });

    it("rolls out every Airflow service safely on the EC2 capacity provider, spread across AZs", () => {
      for (const name of ["api-server", "scheduler", "dag-processor", "triggerer"]) {
        expect(service(name)).toMatchObject({
          deployment_circuit_breaker: { enable: true, rollback: true },
          deployment_minimum_healthy_percent: 100,
          deployment_maximum_percent: 200,
          capacity_provider_strategy: [{ capacity_provider: ref("compute", "capacity_provider_name"), weight: 1, base: 0 }],
          ordered_placement_strategy: [
            { type: "spread", field: "attribute:ecs.availability-zone" },
            { type: "binpack", field: "memory" },
          ],
          availability_zone_rebalancing: "ENABLED",
          wait_for_steady_state: true,
        });
      }
    });
  });

  describe.each(config.workerPools.map((p) => [p.name, p] as const))("worker pool %s", (poolName, pool) => {
    const container = () => main(`worker-${poolName}`, "worker");

    it("consumes its queues with its concurrency, as Airflow's user with warm shutdown", () => {
      expect(container().command).toEqual(["celery", "worker", "--queues", pool.queues.join(","), "--concurrency", String(pool.concurrency)]);
      expect(envOf(container())).toMatchObject({ DUMB_INIT_SETSID: "0", AIRFLOW_ECS_WORKER_POOL: poolName, AIRFLOW_ECS_TASK_PROTECTION_MINUTES: "60" });
      expect(container().healthCheck.command.join(" ")).toMatch(
        /celery --app airflow\.providers\.celery\.executors\.celery_executor\.app inspect ping -d "celery@\$\(hostname\)"/,
      );
      expect(container().portMappings).toEqual([{ containerPort: 8793, hostPort: 8793, protocol: "tcp", name: "task-logs" }]);
    });

    it(pool.taskRole ? "runs with its own task role, looked up by pool name in the IAM contract" : "runs with the shared worker task role", () => {
      // (an entry of the map output: Terraform fails the plan when the IAM state has no role for the pool yet)
      const entry = `\${data.terraform_remote_state.iam_contract.outputs.worker_pool_task_role_arns`;
      expect([`${entry}.${poolName}}`, `${entry}["${poolName}"]}`, ref("iam", "worker_task_role_arn")]).toContain(task(`worker-${poolName}`).task_role_arn);
      expect(task(`worker-${poolName}`).task_role_arn.startsWith(entry)).toBe(pool.taskRole !== undefined);
    });

    it(`runs ${pool.cpu} CPU units / ${pool.memory} MiB on ${pool.capacity}`, () => {
      expect(task(`worker-${poolName}`)).toMatchObject({
        cpu: String(pool.cpu),
        memory: String(pool.memory),
        requires_compatibilities: [runsOnContainerInstances(pool.capacity) ? "EC2" : "FARGATE"],
      });
      const strategy = service(`worker-${poolName}`).capacity_provider_strategy[0].capacity_provider;
      const expected = {
        ec2: ref("compute", "capacity_provider_name"),
        "ec2-spot": ref("compute", "spot_capacity_provider_name"),
        fargate: "FARGATE",
        "fargate-spot": "FARGATE_SPOT",
      };
      expect(strategy).toBe(expected[pool.capacity]);
    });

    it(`stops ${runsOnContainerInstances(pool.capacity) ? "within the agent's stop timeout" : "within Fargate's 120 s"} and leaves its size to autoscaling`, () => {
      expect(container().stopTimeout).toBe(runsOnContainerInstances(pool.capacity) ? undefined : 120);
      expect(service(`worker-${poolName}`)).toMatchObject({
        desired_count: pool.minCount,
        lifecycle: { ignore_changes: ["desired_count"] },
        deployment_minimum_healthy_percent: 50,
      });
    });
  });

  describe("DAG sync task", () => {
    const container = () => main("dag-sync");

    it("runs the image's sync module once on Fargate as Airflow's user (uid 50000) on a read-only root, with its own role", () => {
      expect(task("dag-sync")).toMatchObject({
        requires_compatibilities: ["FARGATE"],
        network_mode: "awsvpc",
        execution_role_arn: ref("iam", "task_execution_role_arn"),
        task_role_arn: ref("iam", "dag_sync_task_role_arn"),
      });
      expect(container()).toMatchObject({
        command: ["python", "-m", "airflow_ecs.dag_sync"],
        image: `${ref("compute", "ecr_repository_url")}:${config.airflow.imageTag}`,
        user: "50000:0",
        readonlyRootFilesystem: true,
        privileged: false,
        secrets: [],
      });
      expect(all("aws_ecs_service").filter((s) => s.name === `${base}-dag-sync`)).toEqual([]);
    });

    it("mounts the DAGs access point read-write (TLS, IAM) where the components read it, and a writable /tmp", () => {
      expect(task("dag-sync").volume).toEqual([
        {
          name: "dags",
          efs_volume_configuration: {
            file_system_id: ref("storage", "efs_file_system_id"),
            transit_encryption: "ENABLED",
            authorization_config: { access_point_id: ref("storage", "efs_dags_access_point_id"), iam: "ENABLED" },
          },
        },
        { name: "tmp" },
      ]);
      expect(container().mountPoints).toEqual([
        { sourceVolume: "dags", containerPath: "/opt/airflow/dags", readOnly: false },
        { sourceVolume: "tmp", containerPath: "/tmp", readOnly: false },
      ]);
    });

    it("knows the DAG bucket, the releases prefix, the environment's EFS bundles and how many releases to keep", () => {
      expect(envOf(container())).toMatchObject({
        AIRFLOW_ECS_DAG_BUCKET: ref("storage", "dag_bucket_name"),
        AIRFLOW_ECS_DAG_RELEASES_PREFIX: "releases",
        AIRFLOW_ECS_DAG_SYNC_ROOT: "/opt/airflow/dags",
        AIRFLOW_ECS_DAG_SYNC_BUNDLES: JSON.stringify(config.dags.bundles.filter((b) => b.source === "efs").map((b) => b.name)),
        AIRFLOW_ECS_DAG_SYNC_KEEP_RELEASES: String(config.dags.keepReleases),
        PYTHONPATH: "/opt/airflow/config",
        CONNECTION_CHECK_MAX_COUNT: "0",
      });
    });

    it("publishes where deploy-dags delivers in one SSM parameter: bucket, cluster, task, network, logs", () => {
      const parameter = Object.values(resources(json, "aws_ssm_parameter")).find(
        (p) => p.name === `/${config.namePrefix}/${config.name}/dag-delivery`,
      ) as Record<string, any>;
      expect(parameter).toMatchObject({ type: "String" });
      expect(parameter.value).toBe(
        "${jsonencode({" +
          [
            `"environment" = "${config.name}"`,
            `"bucket" = data.terraform_remote_state.storage_contract.outputs.dag_bucket_name`,
            `"cluster" = data.terraform_remote_state.compute_contract.outputs.cluster_name`,
            `"syncTaskDefinition" = "${base}-dag-sync"`,
            `"syncContainer" = "dag-sync"`,
            `"subnets" = data.terraform_remote_state.network_contract.outputs.private_subnet_ids`,
            `"securityGroups" = [data.terraform_remote_state.network_contract.outputs.services_security_group_id]`,
            `"syncLogGroup" = "/${config.namePrefix}/${config.name}/dag-sync"`,
            `"syncLogStreamPrefix" = "${base}-dag-sync"`,
          ].join(", ") +
          "})}",
      );
    });
  });

  describe("hibernation", () => {
    const machines = () => Object.values(resources(json, "aws_sfn_state_machine")) as Record<string, any>[];
    /** The schedules that start the hibernation state machine (the db-clean schedule runs a task instead). */
    const hibernationSchedulesOf = () =>
      (Object.values(resources(json, "aws_scheduler_schedule")) as Record<string, any>[]).filter((s) =>
        String(s.target.arn).includes("aws_sfn_state_machine."),
      );

    it(`${config.hibernation ? "hibernates in its windows" : "never hibernates"}`, () => {
      expect(machines()).toHaveLength(config.hibernation ? 1 : 0);
      expect(hibernationSchedulesOf()).toHaveLength(2 * (config.hibernation?.windows.length ?? 0));
    });

    if (!config.hibernation) return;
    const windows = config.hibernation;

    it("schedules each window's start and end in its time zone", () => {
      const schedules = hibernationSchedulesOf().map((s) => [s.schedule_expression, s.target.input]);
      expect(schedules.sort()).toEqual(
        hibernationSchedules(windows)
          .flatMap((w) => [
            [w.hibernate, '{"action":"hibernate"}'],
            [w.wake, '{"action":"wake"}'],
          ])
          .sort(),
      );
    });

    it("plans every service (the Spot pool and both groups included) and mutes every alarm notifying the topic, never its own", () => {
      const plan = JSON.parse(machines()[0].definition).States.Plan.Result;
      const all = (type: string) => Object.values(resources(json, type)) as Record<string, any>[];
      const planned = [...plan.schedulingServices, ...plan.servingServices].map((s: any) => s.name).concat(plan.pools.map((p: any) => p.service));
      expect(planned.sort()).toEqual(
        all("aws_ecs_service")
          .map((s) => s.name)
          .sort(),
      );
      expect(plan.groups.map((g: any) => g.name)).toEqual([ref("compute", "asg_name"), ...(config.compute.spot ? [ref("compute", "spot_asg_name")] : [])]);
      const topic = all("aws_cloudwatch_metric_alarm").filter((a) => a.alarm_actions?.some((x: string) => x.includes("aws_sns_topic")));
      const own = topic.filter((a) => a.namespace === "AWS/States").map((a) => a.alarm_name);
      expect(own).toEqual([`${base}-hibernation-failed`, `${base}-hibernation-timed-out`]);
      expect([...plan.alarms].sort()).toEqual(
        topic
          .map((a) => a.alarm_name)
          .filter((n) => !own.includes(n))
          .sort(),
      );
      expect(plan.alarms).toContain(`${base}-heartbeat`);
    });

    it("pauses the db-clean schedule while hibernating, with its configured state, and never its own schedules", () => {
      // GIVEN the synthesized stack WHEN reading the plan THEN the db-clean schedule is the only one paused
      const plan = JSON.parse(machines()[0].definition).States.Plan.Result;
      const cleanup = config.storage.database.cleanup;
      expect(plan.schedules).toEqual([{ name: `${base}-db-clean`, group: "default", state: cleanup.enabled ? "ENABLED" : "DISABLED" }]);
      expect(plan.schedules.map((s: any) => s.name)).not.toEqual(expect.arrayContaining(hibernationSchedulesOf().map((s) => s.name)));
      // AND the steps Lambda may read and update exactly that schedule, passing its scheduler role back to EventBridge Scheduler only
      const steps = (Object.values(resources(json, "aws_iam_role_policy")) as Record<string, any>[]).find((p) => p.name === `${base}-hibernation-steps`)!;
      const statements = JSON.parse(steps.policy).Statement as any[];
      expect(statements.filter((st) => st.Action.some((a: string) => a.startsWith("scheduler:") || a === "iam:PassRole"))).toEqual([
        {
          Sid: "PauseAndResumeSchedules",
          Effect: "Allow",
          Action: ["scheduler:GetSchedule", "scheduler:UpdateSchedule"],
          Resource: [`arn:aws:scheduler:${config.account.region}:${config.account.id}:schedule/default/${base}-db-clean`],
        },
        {
          Sid: "PauseAndResumeSchedulesPassTargetRoles",
          Effect: "Allow",
          Action: ["iam:PassRole"],
          Resource: [ref("iam", "db_clean_scheduler_role_arn")],
          Condition: { StringEquals: { "iam:PassedToService": ["scheduler.amazonaws.com"] } },
        },
      ]);
    });
  });

  describe("cAdvisor", () => {
    const container = () => main("cadvisor");

    it("runs one task per container instance: launch type EC2, distinctInstance, desired count = both groups' maximum", () => {
      expect(service("cadvisor")).toMatchObject({
        launch_type: "EC2",
        placement_constraints: [{ type: "distinctInstance" }],
        desired_count: ref("compute", "max_container_instances"),
        deployment_maximum_percent: 100,
      });
      expect(service("cadvisor").capacity_provider_strategy).toBeUndefined();
    });

    it("is privileged with read-only host mounts and /dev/kmsg, on the host network port 8080, pinned and health-checked", () => {
      expect(task("cadvisor")).toMatchObject({ network_mode: "host", requires_compatibilities: ["EC2"] });
      expect(container()).toMatchObject({
        image: CADVISOR_IMAGE,
        privileged: true,
        portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: "tcp", name: "metrics" }],
      });
      expect(container().mountPoints.map((m: any) => [m.containerPath, m.readOnly])).toEqual([
        ["/rootfs", true],
        ["/var/run", true],
        ["/sys", true],
        ["/var/lib/docker", true],
        ["/dev/disk", true],
      ]);
      expect((task("cadvisor").volume as any[]).map((v) => v.host_path)).toEqual(["/", "/var/run", "/sys", "/var/lib/docker", "/dev/disk"]);
      expect(container().linuxParameters.devices).toEqual([{ hostPath: "/dev/kmsg", containerPath: "/dev/kmsg", permissions: ["read"] }]);
      expect(container().healthCheck.command[1]).toContain("http://localhost:8080/healthz");
    });
  });
});

describe.each(repoEnvironments().map((c) => [c.name, c] as const))("ServicesStack operations (%s)", (_name, config) => {
  const json = stackJson(config.name, "services");
  const all = (type: string) => Object.values(resources(json, type)) as Record<string, any>[];
  const base = `${config.namePrefix}-${config.name}`;
  const publisher = all("aws_lambda_function").find((f) => f.function_name === `${base}-queue-depth-publisher`)!;
  const alarm = (name: string) => all("aws_cloudwatch_metric_alarm").find((a) => a.alarm_name === name)!;

  it("runs the publisher every minute in the private subnets with the Lambda security group, reserved concurrency 1, a DLQ and tracing", () => {
    expect(publisher).toMatchObject({
      runtime: "nodejs22.x",
      handler: "index.handler",
      reserved_concurrent_executions: 1,
      vpc_config: { subnet_ids: ref("network", "private_subnet_ids"), security_group_ids: [ref("network", "lambda_security_group_id")] },
      dead_letter_config: { target_arn: expect.stringContaining("aws_sqs_queue") },
      tracing_config: { mode: "Active" },
      role: ref("iam", "publisher_lambda_role_arn"),
      filename: expect.stringMatching(/^assets\/.+\.zip$/),
      source_code_hash: expect.stringMatching(/^\$\{filebase64sha256\("assets\//),
      logging_config: { log_format: "JSON", log_group: expect.stringContaining("aws_cloudwatch_log_group") },
    });
    expect(all("aws_cloudwatch_event_rule").find((r) => r.name === `${base}-queue-depth-publisher`)!.schedule_expression).toBe("rate(1 minute)");
    expect(all("aws_cloudwatch_log_group").find((g) => g.name === `/${config.namePrefix}/${config.name}/lambda/${base}-queue-depth-publisher`)).toMatchObject({
      retention_in_days: config.storage.logRetentionDays,
    });
  });

  it("hands the publisher every pool with its service, queues and bounds, and the database secret by ARN", () => {
    const env = publisher.environment.variables;
    expect(JSON.parse(env[PUBLISHER_ENV.pools])).toEqual(
      config.workerPools.map((p) => ({
        name: p.name,
        service: `${base}-worker-${p.name}`,
        queues: p.queues,
        concurrency: p.concurrency,
        minCount: p.minCount,
        maxCount: p.maxCount,
      })),
    );
    expect(env[PUBLISHER_ENV.dbSecretArn]).toBe(ref("storage", "db_master_secret_arn"));
  });

  it.each(config.workerPools.map((p) => [p.name, p] as const))("scales pool %s on its shortfall and surplus within its bounds", (pool, spec) => {
    expect(all("aws_appautoscaling_target").find((t) => t.resource_id.endsWith(`/${base}-worker-${pool}`))).toMatchObject({
      min_capacity: spec.minCount,
      max_capacity: spec.maxCount,
      scalable_dimension: "ecs:service:DesiredCount",
    });
    expect(alarm(`${base}-worker-${pool}-scale-out`)).toMatchObject({
      metric_name: QUEUE_METRICS.workerShortfall,
      dimensions: { Environment: config.name, Pool: pool },
    });
    expect(alarm(`${base}-worker-${pool}-scale-in`)).toMatchObject({ metric_name: QUEUE_METRICS.workerSurplus });
  });

  it("decides to scale out within 60 s of a backlog, computed from the synthesized schedule, sampling and alarm", () => {
    const rate = /^rate\((\d+) minutes?\)$/.exec(
      all("aws_cloudwatch_event_rule").find((r) => r.name === `${base}-queue-depth-publisher`)!.schedule_expression,
    )!;
    const sampling = {
      scheduleSeconds: Number(rate[1]) * 60,
      samplesPerInvocation: Number(publisher.environment.variables[PUBLISHER_ENV.samplesPerInvocation]),
      sampleIntervalSeconds: Number(publisher.environment.variables[PUBLISHER_ENV.sampleIntervalSeconds]),
    };
    // Every sample of an invocation must fit the function's timeout, or the last ones are skipped.
    expect((sampling.samplesPerInvocation - 1) * sampling.sampleIntervalSeconds + 11).toBeLessThanOrEqual(publisher.timeout);
    const scaleOut = alarm(`${base}-worker-${config.workerPools[0].name}-scale-out`);
    const worst = worstCaseScaleOutSeconds(sampling, { periodSeconds: scaleOut.period, datapointsToAlarm: scaleOut.datapoints_to_alarm });
    expect(worst).toBeLessThanOrEqual(60);
  });

  it("alarms on the heartbeat, the scheduler, the API, the data stores, the Lambdas and component errors, to an encrypted topic", () => {
    const names = all("aws_cloudwatch_metric_alarm").map((a) => a.alarm_name);
    expect(names).toEqual(
      expect.arrayContaining([
        `${base}-heartbeat`,
        `${base}-scheduler-not-running`,
        `${base}-api-target-5xx`,
        `${base}-api-unhealthy-targets`,
        `${base}-db-cpu`,
        `${base}-db-free-storage`,
        `${base}-db-connections`,
        `${base}-broker-001-memory`,
        `${base}-broker-001-evictions`,
        `${base}-publisher-errors`,
        `${base}-scheduler-errors`,
        `${base}-scheduler-cpu`,
      ]),
    );
    expect(alarm(`${base}-heartbeat`)).toMatchObject({ namespace: HEARTBEAT.namespace, metric_name: HEARTBEAT.metricName, treat_missing_data: "breaching" });
    expect(all("aws_cloudwatch_metric_alarm").every((a) => a.actions_enabled === true && a.alarm_actions.length === 1)).toBe(true);
    expect(only(json, "aws_sns_topic")).toMatchObject({ name: `${base}-alarms`, kms_master_key_id: expect.stringContaining("aws_kms_key") });
    expect(all("aws_sns_topic_subscription").map((s) => [s.protocol, s.endpoint])).toEqual([
      ...(config.alarms.email ? [["email", config.alarms.email]] : []),
      ...config.alarms.subscriptions.map((s) => [s.protocol, s.endpoint]),
    ]);
  });

  it("tells the dag-processor and the workers (which run failure callbacks) where task failures go", () => {
    const topic = `arn:aws:sns:${config.account.region}:${config.account.id}:${base}-alarms`;
    const families = all("aws_ecs_task_definition")
      .filter((t) =>
        (JSON.parse(t.container_definitions) as Record<string, any>[]).some((c) =>
          (c.environment ?? []).some((e: any) => e.name === "AIRFLOW_ECS_FAILURE_TOPIC_ARN" && e.value === topic),
        ),
      )
      .map((t) => t.family);
    expect(families.sort()).toEqual(
      config.alarms.taskFailureNotifications ? [`${base}-dag-processor`, ...config.workerPools.map((p) => `${base}-worker-${p.name}`)].sort() : [],
    );
  });

  it("runs airflow db clean on its schedule with its own task definition, role and failure notification", () => {
    const { cleanup } = config.storage.database;
    const schedules = (Object.values(resources(json, "aws_scheduler_schedule")) as Record<string, any>[]).filter((s) => s.name === `${base}-db-clean`);
    expect(schedules).toHaveLength(1);
    const schedule = schedules[0];
    expect(schedule).toMatchObject({
      name: `${base}-db-clean`,
      schedule_expression: cleanup.schedule,
      state: cleanup.enabled ? "ENABLED" : "DISABLED",
      target: {
        arn: ref("compute", "cluster_arn"),
        role_arn: ref("iam", "db_clean_scheduler_role_arn"),
        ecs_parameters: { launch_type: "FARGATE", network_configuration: { security_groups: [ref("network", "services_security_group_id")] } },
      },
    });
    const clean = all("aws_ecs_task_definition").find((t) => t.family === `${base}-db-clean`)!;
    expect(clean.task_role_arn).toBe(ref("iam", "db_clean_task_role_arn"));
    const container = (JSON.parse(clean.container_definitions) as Record<string, any>[]).find((c) => c.name === "db-clean")!;
    expect(container.command).toEqual(["db", "clean"]);
    expect(Object.fromEntries(container.environment.map((e: any) => [e.name, e.value]))).toMatchObject({
      AIRFLOW_ECS_COMPONENT: "db-clean",
      AIRFLOW_ECS_DB_CLEAN_RETENTION_DAYS: String(cleanup.retentionDays),
      AIRFLOW_ECS_DB_CLEAN_ARCHIVE: cleanup.archive,
    });
    expect(all("aws_cloudwatch_event_rule").find((r) => r.name === `${base}-db-clean-failed`)).toBeDefined();
    expect(alarm(`${base}-db-clean-not-started`)).toMatchObject({ namespace: "AWS/SQS", dimensions: { QueueName: `${base}-db-clean-dlq` } });
  });

  it("redeploys every Airflow service when the database secret's current version changes", () => {
    const rule = all("aws_cloudwatch_event_rule").find((r) => r.name === `${base}-service-redeployer`)!;
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ["aws.secretsmanager"],
      "detail-type": ["Secret Label Updated"],
      resources: [ref("storage", "db_master_secret_arn")],
      detail: { labelUpdated: ["AWSCURRENT"] },
    });
    const redeployer = all("aws_lambda_function").find((f) => f.function_name === `${base}-service-redeployer`)!;
    expect(JSON.parse(redeployer.environment.variables.AIRFLOW_ECS_SERVICES)).toEqual(
      [
        ...["api-server", "scheduler", "dag-processor", "triggerer", ...(config.airflow.flower.enabled ? ["flower"] : [])],
        ...config.workerPools.map((p) => `worker-${p.name}`),
      ].map((s) => `${base}-${s}`),
    );
  });

  it("publishes a dashboard with the pools, heartbeat, errors and data stores, then Airflow's own signals", () => {
    const body = JSON.parse(only(json, "aws_cloudwatch_dashboard").dashboard_body as string);
    // (the rows on Airflow's own metrics: 1 heading, 8 signal and container widgets, one container widget per pool on EC2)
    expect(body.widgets.length).toBe(1 + config.workerPools.length + 7 + 1 + 8 + config.workerPools.filter((p) => !p.capacity.startsWith("fargate")).length);
  });
});

describe("production and development services differ where it matters", () => {
  const synth = (name: string) => stackJson(name, "services");
  const prod = synth("prod");
  const dev = synth("dev");
  const lb = (json: typeof prod) => only(json, "aws_lb") as Record<string, any>;
  const count = (json: typeof prod, name: string) =>
    (Object.values(resources(json, "aws_ecs_service")) as any[]).find((s) => s.name.endsWith(`-${name}`)).desired_count;

  it("prod: two api-servers and schedulers, HTTPS, WAF and deletion protection; dev: one each, internal HTTP ALB", () => {
    expect([
      count(prod, "api-server"),
      count(prod, "scheduler"),
      lb(prod).enable_deletion_protection,
      lb(prod).internal,
      Object.keys(resources(prod, "aws_wafv2_web_acl")).length,
    ]).toEqual([2, 2, true, false, 1]);
    expect([
      count(dev, "api-server"),
      count(dev, "scheduler"),
      lb(dev).enable_deletion_protection,
      lb(dev).internal,
      Object.keys(resources(dev, "aws_wafv2_web_acl")).length,
    ]).toEqual([1, 1, false, true, 0]);
  });
});

describe("sign-in on the api-server", () => {
  const env = (name: string) => repoEnvironments().find((c) => c.name === name)!;
  const apiServer = (name: string) => {
    const config = env(name);
    const td = Object.values(resources(stackJson(name, "services"), "aws_ecs_task_definition")).find(
      (t) => t.family === `${config.namePrefix}-${name}-api-server`,
    )!;
    return JSON.parse(td.container_definitions as string).find((c: any) => c.name === "api-server");
  };

  it("prod (OIDC): the FAB auth manager, the OAuth settings as plain variables and the client secret through ECS secrets", () => {
    // GIVEN prod's OIDC sign-in WHEN its api-server is synthesized
    const container = apiServer("prod");
    const plain = Object.fromEntries(container.environment.map((e: any) => [e.name, e.value]));
    // THEN the settings webserver_config.py renders are plain, on the https base URL the callback hangs off
    expect(plain).toMatchObject({
      AIRFLOW__CORE__AUTH_MANAGER: "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager",
      AIRFLOW__API__BASE_URL: "https://airflow.example.com",
      AIRFLOW_ECS_OIDC_PROVIDER: "oidc",
      AIRFLOW_ECS_OIDC_ISSUER_URL: "https://login.example.com/realms/data-platform",
      AIRFLOW_ECS_OIDC_CLIENT_ID: "airflow-prod",
      AIRFLOW_ECS_OIDC_SCOPES: "openid email profile groups",
      AIRFLOW_ECS_OIDC_ROLE_CLAIM: "groups",
      AIRFLOW_ECS_OIDC_ROLE_MAPPING: '{"airflow-admins":["Admin"],"data-engineers":["Op"],"ml-engineers":["User"],"analysts":["Viewer"]}',
      AIRFLOW_ECS_OIDC_DEFAULT_ROLE: "Public",
    });
    // AND the client secret is a Secrets Manager reference, absent from every plain value
    expect(container.secrets.find((s: any) => s.name === "AIRFLOW_ECS_OIDC_CLIENT_SECRET")).toEqual({
      name: "AIRFLOW_ECS_OIDC_CLIENT_SECRET",
      valueFrom: "arn:aws:secretsmanager:eu-west-1:333333333333:secret:airflow/prod/oidc-client-secret-AbC123",
    });
    expect(JSON.stringify(container.environment)).not.toContain("oidc-client-secret");
  });

  it("prod (OIDC): no other container gets the OAuth settings or the client secret", () => {
    const json = JSON.stringify(
      Object.values(resources(stackJson("prod", "services"), "aws_ecs_task_definition"))
        .filter((t) => t.family !== "airflow-prod-api-server")
        .map((t) => t.container_definitions),
    );
    expect(json).not.toMatch(/AIRFLOW_ECS_OIDC_|oidc-client-secret/);
  });

  it.each(["dev", "test", "uat"])("%s (FAB passwords): no OAuth settings", (name) => {
    expect(JSON.stringify(apiServer(name))).not.toContain("AIRFLOW_ECS_OIDC_");
  });
});
