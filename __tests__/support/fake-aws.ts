import * as http from "http";
import type { AddressInfo } from "net";

/**
 * A loopback stand-in for the only two AWS calls an offline plan makes: STS GetCallerIdentity (the provider checks
 * its credentials and `allowed_account_ids` when it is configured) and Secrets Manager GetRandomPassword (the
 * ephemeral generators of the Airflow secrets are opened at plan time). With it the stacks plan exactly as
 * synthesized: no skip flags, no edited provider blocks. Any other call is answered with an error, so a stack that
 * starts calling AWS at plan time fails the tier instead of silently passing.
 */
export class FakeAws {
  private readonly server: http.Server;
  readonly calls: string[] = [];

  private constructor(private readonly accountId: string) {
    this.server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => this.answer(req, body, res));
    });
  }

  static async start(accountId: string): Promise<FakeAws> {
    const fake = new FakeAws(accountId);
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Environment for a Terraform child process: fake credentials, endpoints pointing here, no IMDS. */
  environment(): Record<string, string> {
    return {
      AWS_ACCESS_KEY_ID: "AKIAOFFLINETESTING00",
      AWS_SECRET_ACCESS_KEY: "offline-test-secret-not-a-real-key",
      AWS_SESSION_TOKEN: "",
      AWS_PROFILE: "",
      AWS_ENDPOINT_URL_STS: this.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: this.endpoint,
      AWS_EC2_METADATA_DISABLED: "true",
    };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const target = String(req.headers["x-amz-target"] ?? "");
    if (target === "secretsmanager.GetRandomPassword") {
      this.calls.push("GetRandomPassword");
      const request = JSON.parse(body || "{}") as { PasswordLength?: number };
      const length = request.PasswordLength ?? 32;
      res.setHeader("content-type", "application/x-amz-json-1.1");
      res.end(JSON.stringify({ RandomPassword: "OfflinePlan0".repeat(Math.ceil(length / 12)).slice(0, length) }));
      return;
    }
    if (/(^|&)Action=GetCallerIdentity(&|$)/.test(body)) {
      this.calls.push("GetCallerIdentity");
      res.setHeader("content-type", "text/xml");
      res.end(
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
          `<Arn>arn:aws:iam::${this.accountId}:user/offline-plan</Arn><UserId>AIDAOFFLINEPLAN</UserId><Account>${this.accountId}</Account>` +
          `</GetCallerIdentityResult><ResponseMetadata><RequestId>offline</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      );
      return;
    }
    this.calls.push(`unexpected: ${target || body.slice(0, 80)}`);
    res.statusCode = 400;
    res.setHeader("content-type", "application/x-amz-json-1.1");
    res.end(JSON.stringify({ __type: "OfflinePlanError", message: `the offline plan does not serve ${target || req.url}` }));
  }
}
