import { dagProcessorHealthCheck } from "../../config/derived/dag-processor-health";
import { worstCaseScaleOutSeconds } from "../../config/derived/queue-scaling";
import { BACKLOG_HEADROOM_SECONDS, REQUEUE_MARGIN_SECONDS, WORKER_START_SECONDS } from "../../config/derived/queue-timing";
import { LOG_GROOMING } from "../../modules/airflow/log-groomer";
import { PUBLISHER_ENV } from "../../runtime/lambda";
import { RUNTIME_ENV, WRITABLE_PATHS } from "../../runtime/airflow-image";
import { environmentStacks, repoEnvironments, resources, stackJson, synthJson } from "../support/synth";

/**
 * The runtime rules, checked on what `cdktf synth` writes (not on the functions that derive them): per environment,
 * the capacity Airflow can reach and the worst queued-to-running time, computed from the synthesized task
 * definitions, services, autoscaling targets and alarms; the api-server's trusted proxies against the synthesized
 * subnets; the dag-processor's health check and the log groomers.
 */

type Json = Record<string, any>;
const sum = (parts: Readonly<Record<string, number>>) => Object.values(parts).reduce((a, b) => a + b, 0);

describe.each(repoEnvironments().map((c) => [c.name, c] as const))("the Airflow runtime of %s", (_name, config) => {
  const services = stackJson(config.name, "services");
  const all = (json: typeof services, type: string) => Object.values(resources(json, type)) as Json[];
  const base = `${config.namePrefix}-${config.name}`;
  const definitions = all(services, "aws_ecs_task_definition");
  const containerOf = (td: Json, name: string) => (JSON.parse(td.container_definitions) as Json[]).find((c) => c.name === name)!;
  const envOf = (container: Json): Record<string, string> => Object.fromEntries(container.environment.map((e: Json) => [e.name, e.value]));
  const componentEnv = (family: string, container = family) =>
    envOf(
      containerOf(
        definitions.find((t) => t.family === `${base}-${family}`)!,
        container,
      ),
    );
  const desiredCount = (name: string) => all(services, "aws_ecs_service").find((s) => s.name === `${base}-${name}`)!.desired_count as number;

  /** Each worker pool as synthesized: its task definition's capacity, its command's --concurrency, its scaling maximum. */
  const workers = definitions
    .filter((td) => td.family.startsWith(`${base}-worker-`))
    .map((td) => {
      const command = containerOf(td, "worker").command as string[];
      const target = all(services, "aws_appautoscaling_target").find((t) => t.resource_id.endsWith(`/${td.family}`))!;
      return {
        family: td.family as string,
        fargate: (td.requires_compatibilities as string[]).includes("FARGATE"),
        concurrency: Number(command[command.indexOf("--concurrency") + 1]),
        maxCount: target.max_capacity as number,
      };
    });

  it("reaches every worker slot: the pools' maxima x concurrency, through the schedulers' parallelism and the default pool", () => {
    // GIVEN the synthesized worker pools, scheduler and migrate task
    const workerSlots = workers.reduce((total, w) => total + w.maxCount * w.concurrency, 0);
    const scheduler = componentEnv("scheduler");
    const migrate = envOf(containerOf(only(stackJson(config.name, "compute"), "aws_ecs_task_definition"), "migrate"));
    const schedulers = desiredCount("scheduler");
    // WHEN the capacity Airflow can reach is computed, with one scheduler down where there are several
    const reachable = Math.min(
      workerSlots,
      Math.max(1, schedulers - 1) * Number(scheduler.AIRFLOW__CORE__PARALLELISM),
      Number(migrate.AIRFLOW__CORE__DEFAULT_POOL_TASK_SLOT_COUNT),
    );
    // THEN it is the sum of the configured pool maxima
    expect(workers).toHaveLength(config.workerPools.length);
    expect(reachable).toBe(config.workerPools.reduce((total, p) => total + p.maxCount * p.concurrency, 0));
    // AND the migrate task resizes the existing default pool from the same variable
    expect(migrate.AIRFLOW__CORE__DEFAULT_POOL_TASK_SLOT_COUNT).toBe(String(workerSlots));
  });

  it("never lets a queued task outlive its Execution-API token: token > timeout + check interval > worst wait", () => {
    // GIVEN the scale-out decision time from the synthesized publisher and alarm, and each pool's start path
    const rate = /^rate\((\d+) minutes?\)$/.exec(
      all(services, "aws_cloudwatch_event_rule").find((r) => r.name === `${base}-queue-depth-publisher`)!.schedule_expression,
    )!;
    const publisher = all(services, "aws_lambda_function").find((f) => f.function_name === `${base}-queue-depth-publisher`)!;
    const alarm = all(services, "aws_cloudwatch_metric_alarm").find((a) => a.alarm_name === `${workers[0].family}-scale-out`)!;
    const decision = worstCaseScaleOutSeconds(
      {
        scheduleSeconds: Number(rate[1]) * 60,
        samplesPerInvocation: Number(publisher.environment.variables[PUBLISHER_ENV.samplesPerInvocation]),
        sampleIntervalSeconds: Number(publisher.environment.variables[PUBLISHER_ENV.sampleIntervalSeconds]),
      },
      { periodSeconds: alarm.period, datapointsToAlarm: alarm.datapoints_to_alarm },
    );
    const slowestStart = Math.max(...workers.map((w) => sum(WORKER_START_SECONDS[w.fargate ? "fargate" : "ec2"])));
    const worstWait = decision + slowestStart + BACKLOG_HEADROOM_SECONDS;
    // WHEN the scheduler's and the api-server's settings are read
    const scheduler = componentEnv("scheduler");
    const timeout = Number(scheduler.AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT);
    const interval = Number(scheduler.AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT_CHECK_INTERVAL);
    // THEN the scheduler leaves a task waiting for a worker alone, and requeues a stuck one before its token expires
    expect(timeout).toBeGreaterThan(worstWait);
    for (const component of ["scheduler", "api-server"]) {
      const lifetime = Number(componentEnv(component).AIRFLOW__EXECUTION_API__JWT_EXPIRATION_TIME);
      expect(lifetime).toBeGreaterThan(worstWait);
      expect(lifetime).toBeGreaterThanOrEqual(timeout + interval + REQUEUE_MARGIN_SECONDS);
    }
  });

  it("trusts X-Forwarded-* on the api-server only from the CIDRs of the subnets the synthesized ALB sits in", () => {
    // GIVEN the ALB's subnet list (a network contract output) and the network stack's subnets behind that output
    const network = stackJson(config.name, "network");
    const output = /outputs\.(\w+)\}$/.exec(all(services, "aws_lb")[0].subnets as string)![1];
    const subnetIds = network.output![output].value as string[];
    const cidrs = subnetIds.map((ref) => (resources(network, "aws_subnet")[/^\$\{aws_subnet\.(.+)\.id\}$/.exec(ref)![1]] as Json).cidr_block);
    // THEN FORWARDED_ALLOW_IPS lists exactly those CIDRs, and no other task trusts forwarded headers
    expect(componentEnv("api-server").FORWARDED_ALLOW_IPS.split(",").sort()).toEqual([...cidrs].sort());
    const trusting = definitions
      .filter((td) => (JSON.parse(td.container_definitions) as Json[]).some((c) => envOf(c).FORWARDED_ALLOW_IPS))
      .map((td) => td.family);
    expect(trusting).toEqual([`${base}-api-server`]);
  });

  it("gives the dag-processor a health check that survives its bundles' longest refreshes", () => {
    const check = containerOf(
      definitions.find((t) => t.family === `${base}-dag-processor`)!,
      "dag-processor",
    ).healthCheck;
    const { toleratedStallSeconds, ...expected } = dagProcessorHealthCheck(config.dags.bundles);
    expect(check).toMatchObject(expected);
    expect((check.retries - 2) * check.interval).toBeGreaterThanOrEqual(toleratedStallSeconds - check.interval);
  });

  it("bounds local logs: a log groomer beside every component that keeps them, and uploaded logs deleted", () => {
    const withGroomer = definitions
      .filter((td) => (JSON.parse(td.container_definitions) as Json[]).some((c) => c.name === "log-groomer"))
      .map((td) => td.family);
    expect(withGroomer.sort()).toEqual([`${base}-dag-processor`, `${base}-triggerer`, ...workers.map((w) => w.family)].sort());
    for (const family of withGroomer) {
      const td = definitions.find((t) => t.family === family)!;
      const groomer = containerOf(td, "log-groomer");
      const main = (JSON.parse(td.container_definitions) as Json[]).find((c) => c.essential && c.name !== "log-groomer")!;
      // it shares the main container's logs volume, and the main container may run without it
      const logsVolume = main.mountPoints.find((m: Json) => m.containerPath === WRITABLE_PATHS.logs).sourceVolume;
      expect(groomer).toMatchObject({
        essential: false,
        readonlyRootFilesystem: true,
        mountPoints: [{ sourceVolume: logsVolume, containerPath: WRITABLE_PATHS.logs, readOnly: false }],
      });
      expect(envOf(groomer)[RUNTIME_ENV.logGroomerMaxMegabytes]).toBe(String(LOG_GROOMING.maxMegabytes));
      if (family !== `${base}-dag-processor`) expect(envOf(main).AIRFLOW__LOGGING__DELETE_LOCAL_LOGS).toBe("True");
    }
  });

  it("gives workers the database URL's parts (the entrypoint builds the URL) without waiting for the database", () => {
    const worker = containerOf(
      definitions.find((t) => t.family === workers[0].family)!,
      "worker",
    );
    expect(envOf(worker)[RUNTIME_ENV.dbHost]).toBeDefined();
    expect(envOf(worker)[RUNTIME_ENV.dbWaitSeconds]).toBe("0");
    expect(worker.secrets.map((s: Json) => s.name)).toEqual(expect.arrayContaining([RUNTIME_ENV.dbUser, RUNTIME_ENV.dbPassword]));
  });
});

function only(json: ReturnType<typeof stackJson>, type: string): Json {
  const found = Object.values(resources(json, type));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0] as Json;
}

describe("an environment's Airflow option kept in Secrets Manager", () => {
  const SECRET = "arn:aws:secretsmanager:eu-west-1:333333333333:secret:airflow/prod/sentry-AbC123";
  // GIVEN prod with the Sentry DSN as a secret reference, for the workers only
  const config = structuredClone(repoEnvironments().find((c) => c.name === "prod")!) as any;
  config.airflow.componentConfig = { worker: { "sentry.sentry_dsn": { secretArn: SECRET } } };
  const stacks = environmentStacks(config);

  it("reaches the workers through ECS secrets, never as a plain variable, and no other component", () => {
    const definitions = Object.values(resources(synthJson(stacks.services), "aws_ecs_task_definition")) as Json[];
    const holders = definitions.flatMap((td) =>
      (JSON.parse(td.container_definitions) as Json[])
        .filter((c) => c.secrets.some((s: Json) => s.name === "AIRFLOW__SENTRY__SENTRY_DSN" && s.valueFrom === SECRET))
        .map((c) => `${td.family}/${c.name}`),
    );
    expect(holders.sort()).toEqual(["airflow-prod-worker-default/worker", "airflow-prod-worker-heavy/worker"]);
    expect(JSON.stringify(definitions.map((td) => JSON.parse(td.container_definitions).map((c: Json) => c.environment)))).not.toContain(SECRET);
  });

  it("is readable by the task execution role, which injects it, and by no other role", () => {
    const policies = Object.values(resources(synthJson(stacks.iam), "aws_iam_role_policy")) as Json[];
    const execution = policies.find((p) => p.name === "airflow-prod-task-execution")!;
    const inject = JSON.parse(execution.policy).Statement.find((st: Json) => st.Sid === "InjectTaskSecrets");
    expect(inject.Resource).toContain(SECRET);
    expect(policies.filter((p) => p !== execution && String(p.policy).includes(SECRET))).toEqual([]);
  });
});
