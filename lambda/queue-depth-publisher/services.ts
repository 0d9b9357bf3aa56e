import { DescribeServicesCommand, type DescribeServicesCommandInput, type DescribeServicesCommandOutput, type ECSClient } from "@aws-sdk/client-ecs";

/**
 * Sends one DescribeServices request (the ECS client in the Lambda and the CLI; a fake in tests). Read-only: the
 * publisher never changes a service, it only reads each pool service's desired count.
 */
export type DescribeServices = (input: DescribeServicesCommandInput) => Promise<Pick<DescribeServicesCommandOutput, "services" | "failures">>;

export function ecsServiceReader(client: Pick<ECSClient, "send">): DescribeServices {
  return (input) => client.send(new DescribeServicesCommand(input));
}

/** DescribeServices takes at most 10 services per request. */
export const DESCRIBE_SERVICES_BATCH = 10;

/** ECS could not tell the desired count of one or more pool services; `problems` holds one line per batch or service. */
export class WorkerServicesUnavailableError extends Error {
  constructor(
    readonly cluster: string,
    readonly problems: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`Cannot read the desired count of the worker services in ECS cluster ${cluster}: ${problems.join("; ")}`, options);
    this.name = "WorkerServicesUnavailableError";
  }
}

/** The last segment of a service ARN (`arn:aws:ecs:<region>:<account>:service/<cluster>/<name>`), or the value itself. */
function serviceNameOf(arnOrName: string | undefined): string | undefined {
  return arnOrName?.split("/").pop();
}

/**
 * The current desired count of each service of `cluster`, by service name, read with one DescribeServices request
 * per 10 services (sent together). Every service must come back ACTIVE with a desired count: a service ECS lists in
 * `failures` (MISSING: deleted or misnamed), leaves out, or reports DRAINING/INACTIVE, and any API error (throttling,
 * access denied), fails the whole read with every problem named, so no datum is built from a partial answer.
 */
export async function readDesiredCounts(describe: DescribeServices, cluster: string, services: readonly string[]): Promise<Map<string, number>> {
  const batches: string[][] = [];
  for (let i = 0; i < services.length; i += DESCRIBE_SERVICES_BATCH) batches.push(services.slice(i, i + DESCRIBE_SERVICES_BATCH));
  const answers = await Promise.allSettled(batches.map((batch) => describe({ cluster, services: batch })));

  const counts = new Map<string, number>();
  const problems: string[] = [];
  let firstError: unknown;
  answers.forEach((answer, b) => {
    const batch = batches[b];
    if (answer.status === "rejected") {
      const e = answer.reason as Error;
      firstError ??= answer.reason;
      problems.push(`DescribeServices of ${batch.join(", ")} failed: ${e.name}: ${e.message}`);
      return;
    }
    const described = new Map((answer.value.services ?? []).map((s) => [s.serviceName ?? serviceNameOf(s.serviceArn), s] as const));
    for (const service of batch) {
      const found = described.get(service);
      if (found === undefined) {
        const failure = (answer.value.failures ?? []).find((f) => f.arn === service || serviceNameOf(f.arn) === service);
        problems.push(
          failure !== undefined
            ? `service ${service}: ECS reports ${failure.reason ?? "a failure"}${failure.detail ? ` (${failure.detail})` : ""}`
            : `service ${service}: absent from the DescribeServices response`,
        );
      } else if (found.status !== "ACTIVE") {
        problems.push(`service ${service}: status is ${found.status ?? "missing"}; expected ACTIVE`);
      } else if (typeof found.desiredCount !== "number" || !Number.isSafeInteger(found.desiredCount) || found.desiredCount < 0) {
        problems.push(`service ${service}: desiredCount is ${JSON.stringify(found.desiredCount) ?? "missing"}; expected an integer >= 0`);
      } else {
        counts.set(service, found.desiredCount);
      }
    }
  });
  if (problems.length > 0) throw new WorkerServicesUnavailableError(cluster, problems, firstError === undefined ? undefined : { cause: firstError });
  return counts;
}
