import { CloudWatchClient, type MetricDatum, type PutMetricDataCommandInput } from "@aws-sdk/client-cloudwatch";
import { ECSClient, type DescribeServicesCommandInput, type DescribeServicesCommandOutput, type Service } from "@aws-sdk/client-ecs";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import * as net from "net";
import { SecretsManagerCredentials } from "../../lambda/queue-depth-publisher/credentials";
import type { HandlerDeps } from "../../lambda/queue-depth-publisher/index";
import type { Logger } from "../../lambda/queue-depth-publisher/log";
import { cloudWatchPublisher } from "../../lambda/queue-depth-publisher/publish";
import { ecsServiceReader } from "../../lambda/queue-depth-publisher/services";
import { CLUSTER, T0 } from "./fixtures";

export interface LogEntry {
  readonly level: "info" | "warn" | "error";
  readonly message: string;
  readonly fields?: Readonly<Record<string, unknown>>;
}

export function recordingLogger(entries: LogEntry[]): Logger {
  return {
    info: (message, fields) => entries.push({ level: "info", message, fields }),
    warn: (message, fields) => entries.push({ level: "warn", message, fields }),
    error: (message, fields) => entries.push({ level: "error", message, fields }),
  };
}

/**
 * A fake clock starting at T0 whose sleep advances it (and may change the world before the next sample), a
 * recording logger, and the real SDK clients (mocked with aws-sdk-client-mock by the tests).
 */
export class Harness {
  clock = T0;
  readonly logs: LogEntry[] = [];
  readonly sleeps: number[] = [];
  /** Runs inside each sleep, after the clock moved: the sample index about to be taken. */
  onSleep: (nextSample: number) => Promise<void> = async () => undefined;
  readonly credentials = new SecretsManagerCredentials(new SecretsManagerClient({ region: "eu-west-1" }));

  deps(overrides: Partial<HandlerDeps> = {}): Partial<HandlerDeps> {
    return {
      credentials: this.credentials,
      putMetricData: cloudWatchPublisher(new CloudWatchClient({ region: "eu-west-1" })),
      describeServices: ecsServiceReader(new ECSClient({ region: "eu-west-1" })),
      tls: { mode: "disable" },
      log: recordingLogger(this.logs),
      now: () => this.clock,
      sleep: async (ms) => {
        this.sleeps.push(ms);
        this.clock += ms;
        await this.onSleep(this.sleeps.length);
      },
      connectTimeoutMs: 5000,
      statementTimeoutMs: 2000,
      ...overrides,
    };
  }

  /** A Lambda context whose deadline is `timeoutMs` after T0 on the fake clock. */
  context(timeoutMs = 70_000): { getRemainingTimeInMillis: () => number } {
    return { getRemainingTimeInMillis: () => T0 + timeoutMs - this.clock };
  }

  messages(level: LogEntry["level"]): string[] {
    return this.logs.filter((l) => l.level === level).map((l) => l.message);
  }
}

export const serviceArn = (service: string): string => `arn:aws:ecs:eu-west-1:333333333333:service/${CLUSTER}/${service}`;

/**
 * What ECS answers to DescribeServices in the fixture cluster: each requested service in `desiredCounts` is ACTIVE
 * with that desired count (with `overrides` applied), every other one is reported MISSING in `failures`, as ECS does
 * for a deleted or misnamed service. For `mockClient(ECSClient).on(DescribeServicesCommand).callsFake(...)`.
 */
export function describeServicesAnswer(
  desiredCounts: () => ReadonlyMap<string, number>,
  overrides: Readonly<Record<string, Partial<Service>>> = {},
): (input: DescribeServicesCommandInput) => Omit<DescribeServicesCommandOutput, "$metadata"> {
  return (input) => {
    const counts = desiredCounts();
    const requested = input.services ?? [];
    return {
      services: requested
        .filter((s) => counts.has(s))
        .map((s) => ({
          serviceName: s,
          serviceArn: serviceArn(s),
          clusterArn: `arn:aws:ecs:eu-west-1:333333333333:cluster/${CLUSTER}`,
          status: "ACTIVE",
          desiredCount: counts.get(s),
          runningCount: counts.get(s),
          pendingCount: 0,
          ...overrides[s],
        })),
      failures: requested.filter((s) => !counts.has(s)).map((s) => ({ arn: serviceArn(s), reason: "MISSING" })),
    };
  };
}

/** The datum of `metric` for `pool` in a PutMetricData input. */
export function valueOf(input: PutMetricDataCommandInput, metric: string, pool: string): number | undefined {
  const datum = input.MetricData!.find((d: MetricDatum) => d.MetricName === metric && d.Dimensions!.some((x) => x.Name === "Pool" && x.Value === pool));
  return datum?.Value;
}

/** A TCP server that accepts connections and never answers (a database stuck behind a half-open path). */
export async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
