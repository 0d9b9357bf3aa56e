import * as http from "http";
import type { AddressInfo } from "net";

export interface RecordedCall {
  readonly target: string;
  readonly body: Record<string, unknown>;
}

/**
 * A loopback stand-in for the two AWS APIs the publisher calls, for a child process running the bundled CLI with the
 * real SDK (aws-sdk-client-mock only reaches the test's own process): Secrets Manager GetSecretValue answers with
 * `secretString`, CloudWatch PutMetricData (JSON 1.0 protocol) is recorded and accepted. Anything else is a 400.
 */
export class FakeAwsEndpoint {
  readonly calls: RecordedCall[] = [];
  private readonly server: http.Server;

  private constructor(private readonly secretString: string) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => this.answer(String(req.headers["x-amz-target"] ?? ""), Buffer.concat(chunks).toString("utf8"), res));
    });
  }

  static async start(secretString: string): Promise<FakeAwsEndpoint> {
    const fake = new FakeAwsEndpoint(secretString);
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Environment for the child: fake credentials, both service endpoints here, no instance metadata. */
  environment(): Record<string, string> {
    return {
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "AKIAFAKEENDPOINTTEST",
      AWS_SECRET_ACCESS_KEY: "fake-endpoint-test-secret",
      AWS_ENDPOINT_URL_SECRETS_MANAGER: this.url,
      AWS_ENDPOINT_URL_CLOUDWATCH: this.url,
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
    if (target === "GraniteServiceVersion20100801.PutMetricData") {
      res.setHeader("content-type", "application/x-amz-json-1.0");
      res.end("{}");
      return;
    }
    res.statusCode = 400;
    res.setHeader("content-type", "application/x-amz-json-1.1");
    res.end(JSON.stringify({ __type: "UnknownOperationException", message: `the fake endpoint does not serve ${target || "(no target)"}` }));
  }
}
