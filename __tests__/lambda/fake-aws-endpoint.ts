import * as http from "http";
import type { AddressInfo } from "net";

export interface RecordedCall {
  readonly target: string;
  readonly body: Record<string, unknown>;
}

/** How the fake ECS answers DescribeServices. */
export interface FakeEcs {
  /** Region and account of the ARNs it returns. */
  readonly region?: string;
  readonly account?: string;
  /** Desired count of each ACTIVE service, by name; any other requested service is reported MISSING in `failures`. */
  desiredCounts: Record<string, number>;
  /** When set, every DescribeServices call fails with this error (JSON 1.1 `__type` and message, HTTP 400). */
  error?: { readonly type: string; readonly message: string };
}

/**
 * A loopback stand-in for the three AWS APIs the publisher calls, for a child process running the bundled CLI with
 * the real SDK (aws-sdk-client-mock only reaches the test's own process): Secrets Manager GetSecretValue answers with
 * `secretString`, ECS DescribeServices answers from `ecs`, CloudWatch PutMetricData (JSON 1.0 protocol) is recorded
 * and accepted. Anything else is a 400.
 */
export class FakeAwsEndpoint {
  readonly calls: RecordedCall[] = [];
  private readonly server: http.Server;

  private constructor(
    private readonly secretString: string,
    readonly ecs: FakeEcs,
  ) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => this.answer(String(req.headers["x-amz-target"] ?? ""), Buffer.concat(chunks).toString("utf8"), res));
    });
  }

  static async start(secretString: string, ecs: FakeEcs = { desiredCounts: {} }): Promise<FakeAwsEndpoint> {
    const fake = new FakeAwsEndpoint(secretString, ecs);
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Environment for the child: fake credentials, the three service endpoints here, no instance metadata. */
  environment(): Record<string, string> {
    return {
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "AKIAFAKEENDPOINTTEST",
      AWS_SECRET_ACCESS_KEY: "fake-endpoint-test-secret",
      AWS_ENDPOINT_URL_SECRETS_MANAGER: this.url,
      AWS_ENDPOINT_URL_CLOUDWATCH: this.url,
      AWS_ENDPOINT_URL_ECS: this.url,
      AWS_EC2_METADATA_DISABLED: "true",
    };
  }

  targets(): string[] {
    return this.calls.map((c) => c.target);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(target: string, body: string, res: http.ServerResponse): void {
    this.calls.push({ target, body: body ? (JSON.parse(body) as Record<string, unknown>) : {} });
    if (target === "secretsmanager.GetSecretValue") {
      res.setHeader("content-type", "application/x-amz-json-1.1");
      res.end(JSON.stringify({ ARN: "arn:aws:secretsmanager:eu-west-1:333333333333:secret:fake", Name: "fake", SecretString: this.secretString }));
      return;
    }
    if (target === "AmazonEC2ContainerServiceV20141113.DescribeServices") {
      this.describeServices(JSON.parse(body) as { cluster: string; services: string[] }, res);
      return;
    }
    if (target === "GraniteServiceVersion20100801.PutMetricData") {
      res.setHeader("content-type", "application/x-amz-json-1.0");
      res.end("{}");
      return;
    }
    res.statusCode = 400;
    res.setHeader("content-type", "application/x-amz-json-1.1");
    res.end(JSON.stringify({ __type: "UnknownOperationException", message: `the fake endpoint does not serve ${target || "(no target)"}` }));
  }

  private describeServices(request: { cluster: string; services: string[] }, res: http.ServerResponse): void {
    res.setHeader("content-type", "application/x-amz-json-1.1");
    if (this.ecs.error !== undefined) {
      res.statusCode = 400;
      res.end(JSON.stringify({ __type: this.ecs.error.type, message: this.ecs.error.message }));
      return;
    }
    const prefix = `arn:aws:ecs:${this.ecs.region ?? "eu-west-1"}:${this.ecs.account ?? "333333333333"}`;
    const arn = (service: string): string => `${prefix}:service/${request.cluster}/${service}`;
    const known = request.services.filter((s) => s in this.ecs.desiredCounts);
    res.end(
      JSON.stringify({
        services: known.map((s) => ({
          serviceName: s,
          serviceArn: arn(s),
          clusterArn: `${prefix}:cluster/${request.cluster}`,
          status: "ACTIVE",
          desiredCount: this.ecs.desiredCounts[s],
          runningCount: this.ecs.desiredCounts[s],
          pendingCount: 0,
          launchType: "EC2",
        })),
        failures: request.services.filter((s) => !(s in this.ecs.desiredCounts)).map((s) => ({ arn: arn(s), reason: "MISSING" })),
      }),
    );
  }
}
