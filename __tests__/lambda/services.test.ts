import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { DESCRIBE_SERVICES_BATCH, ecsServiceReader, readDesiredCounts, WorkerServicesUnavailableError } from "../../lambda/queue-depth-publisher/services";
import { CLUSTER, POOLS } from "./fixtures";
import { describeServicesAnswer, serviceArn } from "./harness";

/** Reading the pool services' desired counts from ECS, through the real SDK client mocked at `send`. */
const ecs = mockClient(ECSClient);
const SERVICES = POOLS.map((p) => p.service);
const read = (services: readonly string[] = SERVICES) => readDesiredCounts(ecsServiceReader(new ECSClient({ region: "eu-west-1" })), CLUSTER, services);
const describeInputs = () => ecs.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input);
const counts = (entries: Record<string, number>) => () => new Map(Object.entries(entries));
const PREFIX = `Cannot read the desired count of the worker services in ECS cluster ${CLUSTER}: `;

afterEach(() => ecs.reset());

describe("readDesiredCounts", () => {
  it("asks DescribeServices for the pools' services in the cluster and returns each desired count by service", async () => {
    // GIVEN three ACTIVE services with desired counts 2, 0 and 1
    ecs
      .on(DescribeServicesCommand)
      .callsFake(describeServicesAnswer(counts({ "airflow-prod-worker-default": 2, "airflow-prod-worker-heavy": 0, "airflow-prod-worker-adhoc": 1 })));

    // WHEN their desired counts are read
    const result = await read();

    // THEN one request named the cluster and the three services, and each count came back
    expect(describeInputs()).toEqual([
      { cluster: "airflow-prod", services: ["airflow-prod-worker-default", "airflow-prod-worker-heavy", "airflow-prod-worker-adhoc"] },
    ]);
    expect(result).toEqual(
      new Map([
        ["airflow-prod-worker-default", 2],
        ["airflow-prod-worker-heavy", 0],
        ["airflow-prod-worker-adhoc", 1],
      ]),
    );
  });

  it.each([
    [10, [10]],
    [11, [10, 1]],
    [23, [10, 10, 3]],
  ])("sends %i services in requests of at most 10 (%j)", async (n, sizes) => {
    // GIVEN n ACTIVE services, service i with desired count i
    const services = Array.from({ length: n }, (_, i) => `svc-${i}`);
    ecs.on(DescribeServicesCommand).callsFake(describeServicesAnswer(() => new Map(services.map((s, i) => [s, i]))));

    // WHEN their desired counts are read
    const result = await read(services);

    // THEN the services went out in order, in batches of DescribeServices' maximum, each naming the cluster
    expect(DESCRIBE_SERVICES_BATCH).toBe(10);
    expect(describeInputs().map((i) => i.services!.length)).toEqual(sizes);
    expect(describeInputs().flatMap((i) => i.services)).toEqual(services);
    expect(new Set(describeInputs().map((i) => i.cluster))).toEqual(new Set([CLUSTER]));
    // AND every service has its own count
    expect([...result]).toEqual(services.map((s, i) => [s, i]));
  });

  it("matches services by name whatever order ECS answers in", async () => {
    // GIVEN an answer listing the services in reverse
    ecs.on(DescribeServicesCommand).callsFake((input) => {
      const answer = describeServicesAnswer(counts({ "airflow-prod-worker-default": 5, "airflow-prod-worker-heavy": 3, "airflow-prod-worker-adhoc": 1 }))(
        input,
      );
      return { ...answer, services: [...answer.services!].reverse() };
    });

    // WHEN the counts are read
    // THEN each service keeps its own count
    expect(await read()).toEqual(
      new Map([
        ["airflow-prod-worker-default", 5],
        ["airflow-prod-worker-heavy", 3],
        ["airflow-prod-worker-adhoc", 1],
      ]),
    );
  });

  it("fails naming the cluster and the service ECS reports MISSING in failures", async () => {
    // GIVEN a heavy pool whose service was deleted (ECS reports it in failures)
    ecs.on(DescribeServicesCommand).callsFake(describeServicesAnswer(counts({ "airflow-prod-worker-default": 2, "airflow-prod-worker-adhoc": 0 })));

    // WHEN the counts are read
    // THEN the error names the cluster, the service and ECS's reason
    await expect(read()).rejects.toThrow(new WorkerServicesUnavailableError(CLUSTER, ["service airflow-prod-worker-heavy: ECS reports MISSING"]));
    await expect(read()).rejects.toThrow(`${PREFIX}service airflow-prod-worker-heavy: ECS reports MISSING`);
  });

  it("includes the failure's detail when ECS gives one", async () => {
    // GIVEN a failure with a detail
    ecs.on(DescribeServicesCommand).resolves({
      services: [],
      failures: [{ arn: serviceArn("airflow-prod-worker-default"), reason: "MISSING", detail: "service not found in cluster" }],
    });

    // WHEN one service's count is read
    // THEN the detail follows the reason
    await expect(read(["airflow-prod-worker-default"])).rejects.toThrow(
      `${PREFIX}service airflow-prod-worker-default: ECS reports MISSING (service not found in cluster)`,
    );
  });

  it("fails when a service is neither described nor listed in failures", async () => {
    // GIVEN an answer that leaves the adhoc service out entirely
    ecs.on(DescribeServicesCommand).callsFake((input) => {
      const answer = describeServicesAnswer(counts({ "airflow-prod-worker-default": 2, "airflow-prod-worker-heavy": 1, "airflow-prod-worker-adhoc": 1 }))(
        input,
      );
      return { services: answer.services!.filter((s) => s.serviceName !== "airflow-prod-worker-adhoc"), failures: [] };
    });

    // WHEN the counts are read
    // THEN the error says the service is absent from the response
    await expect(read()).rejects.toThrow(`${PREFIX}service airflow-prod-worker-adhoc: absent from the DescribeServices response`);
  });

  it.each(["DRAINING", "INACTIVE"])("fails when a service is %s, whatever its desired count", async (status) => {
    // GIVEN a heavy service that is being deleted (or was)
    ecs.on(DescribeServicesCommand).callsFake(
      describeServicesAnswer(counts({ "airflow-prod-worker-default": 2, "airflow-prod-worker-heavy": 0, "airflow-prod-worker-adhoc": 0 }), {
        "airflow-prod-worker-heavy": { status },
      }),
    );

    // WHEN the counts are read
    // THEN the error names the service and its status
    await expect(read()).rejects.toThrow(`${PREFIX}service airflow-prod-worker-heavy: status is ${status}; expected ACTIVE`);
  });

  it("fails when an ACTIVE service comes back without a desired count", async () => {
    // GIVEN an answer without desiredCount for the default service
    ecs.on(DescribeServicesCommand).callsFake(
      describeServicesAnswer(counts({ "airflow-prod-worker-default": 2, "airflow-prod-worker-heavy": 0, "airflow-prod-worker-adhoc": 0 }), {
        "airflow-prod-worker-default": { desiredCount: undefined },
      }),
    );

    // WHEN the counts are read
    // THEN the error names the service and the missing field
    await expect(read()).rejects.toThrow(`${PREFIX}service airflow-prod-worker-default: desiredCount is missing; expected an integer >= 0`);
  });

  it("lists every unusable service in one error", async () => {
    // GIVEN heavy missing and adhoc draining
    ecs.on(DescribeServicesCommand).callsFake(
      describeServicesAnswer(counts({ "airflow-prod-worker-default": 2, "airflow-prod-worker-adhoc": 0 }), {
        "airflow-prod-worker-adhoc": { status: "DRAINING" },
      }),
    );

    // WHEN the counts are read
    // THEN both problems are named, in pool order
    await expect(read()).rejects.toThrow(
      `${PREFIX}service airflow-prod-worker-heavy: ECS reports MISSING; service airflow-prod-worker-adhoc: status is DRAINING; expected ACTIVE`,
    );
  });

  it.each([
    ["ThrottlingException", "Rate exceeded"],
    ["AccessDeniedException", "User: arn:aws:sts::333333333333:assumed-role/publisher/fn is not authorized to perform: ecs:DescribeServices"],
    ["ClusterNotFoundException", "Cluster not found."],
  ])("fails naming the cluster and the services of the request when DescribeServices throws %s", async (name, message) => {
    // GIVEN an ECS API that rejects the call
    ecs.on(DescribeServicesCommand).rejects(Object.assign(new Error(message), { name }));

    // WHEN the counts are read
    const reading = read();

    // THEN the error names the cluster, every service of the failed request, and the API error, which it keeps as cause
    await expect(reading).rejects.toThrow(
      `${PREFIX}DescribeServices of airflow-prod-worker-default, airflow-prod-worker-heavy, airflow-prod-worker-adhoc failed: ${name}: ${message}`,
    );
    await expect(reading).rejects.toMatchObject({ name: "WorkerServicesUnavailableError", cluster: CLUSTER, cause: { name, message } });
  });

  it("fails the whole read when one of several batches fails, naming only that batch's services", async () => {
    // GIVEN 12 services: the first batch of 10 answers, the second (2 services) is throttled
    const services = Array.from({ length: 12 }, (_, i) => `svc-${i}`);
    const answer = describeServicesAnswer(() => new Map(services.map((s) => [s, 1])));
    ecs.on(DescribeServicesCommand).callsFake((input) => {
      if (input.services.includes("svc-10")) throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
      return answer(input);
    });

    // WHEN the counts are read
    // THEN no count is returned, and the error names the second batch's services
    await expect(read(services)).rejects.toThrow(`${PREFIX}DescribeServices of svc-10, svc-11 failed: ThrottlingException: Rate exceeded`);
    expect(describeInputs().map((i) => i.services)).toEqual([services.slice(0, 10), services.slice(10)]);
  });
});
