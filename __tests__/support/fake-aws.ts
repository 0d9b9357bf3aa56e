import * as http from "http";
import type { AddressInfo } from "net";

/** The access key of the environment's credentials: requests signed with it count as the first account's. */
const ENVIRONMENT_ACCESS_KEY = "AKIAOFFLINETESTING00";
const SECRET_KEY = "offline-test-secret-not-a-real-key";
/** The access key of `credentials(accountId)`. */
const accessKeyOf = (accountId: string) => `AKIAOFFLINE${accountId}`;

/** How long a read of an expected state object is held before it is answered NoSuchKey. */
const STATE_WAIT_MS = 180_000;

/**
 * A loopback stand-in for the only two AWS calls an offline plan makes: STS GetCallerIdentity (the provider checks
 * its credentials and `allowed_account_ids` when it is configured) and Secrets Manager GetRandomPassword (the
 * ephemeral generators of the Airflow secrets are opened at plan time). With it the stacks plan as synthesized:
 * no skip flags; the one addition to a provider configuration is the credentials of the account it answers for, where
 * one server answers for several accounts. Any other call is answered with an error, so a stack that starts calling
 * AWS at plan time fails the tier instead of silently passing.
 *
 * For the apply tier it also serves Terraform state objects the way S3 serves a state bucket to the S3 backend of a
 * `terraform_remote_state` data source (ListObjectsV2 of the workspace prefix, HeadObject, GetObject): the harness
 * publishes each producer's applied state under the producer's own backend bucket and key, so a consumer reads
 * exactly the object its configuration names. A key the harness still expects (`expectState`) is held open until
 * it is published or given up (`settleState`), since the consumer's read may arrive before the harness has
 * parsed the producer's apply.
 */
export class FakeAws {
  private readonly server: http.Server;
  /** Every call served, in order. */
  readonly calls: string[] = [];
  private readonly callsByAccount = new Map<string, string[]>();
  /** State objects by `bucket/key`: the body, or undefined while the harness still expects it. */
  private readonly states = new Map<string, string | undefined>();
  private readonly waiting = new Map<string, (() => void)[]>();

  /**
   * One server can stand in for several accounts: a request signed with `credentials(account)` is that account's
   * (GetCallerIdentity answers it), one signed with the environment's credentials the first account's.
   */
  private constructor(private readonly accountIds: readonly string[]) {
    this.server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => this.answer(req, body, res));
    });
  }

  static async start(...accountIds: [string, ...string[]]): Promise<FakeAws> {
    const fake = new FakeAws(accountIds);
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Environment for a Terraform child process: fake credentials, endpoints pointing here, no IMDS. */
  environment(): Record<string, string> {
    return {
      AWS_ACCESS_KEY_ID: ENVIRONMENT_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: SECRET_KEY,
      AWS_SESSION_TOKEN: "",
      AWS_PROFILE: "",
      AWS_ENDPOINT_URL_STS: this.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: this.endpoint,
      AWS_EC2_METADATA_DISABLED: "true",
      // Plain HTTP on loopback needs no CA bundle; a machine's AWS_CA_BUNDLE would make a provider configured more
      // than once in one process (the plans' shared provider per account) fail to add its root CAs again.
      AWS_CA_BUNDLE: "",
    };
  }

  /**
   * Environment for a Terraform process that reads remote state from here: the S3 backend addresses a bucket as
   * `<bucket>.<endpoint host>`, which no resolver knows, so the process reaches it through this server as its HTTP
   * proxy (loopback addresses, the STS endpoint among them, are never proxied).
   */
  stateEnvironment(): Record<string, string> {
    return { ...this.environment(), AWS_ENDPOINT_URL_S3: this.endpoint, HTTP_PROXY: this.endpoint, http_proxy: "", NO_PROXY: "", no_proxy: "" };
  }

  /** Credentials that identify `accountId` to this server, for a provider configuration that sets its own. */
  credentials(accountId: string): { readonly access_key: string; readonly secret_key: string } {
    if (!this.accountIds.includes(accountId)) throw new Error(`the FakeAws stands in for ${this.accountIds.join(", ")}, not ${accountId}`);
    return { access_key: accessKeyOf(accountId), secret_key: SECRET_KEY };
  }

  /** The calls made with `accountId`'s credentials (the environment's count as the first account's). */
  callsOf(accountId: string): readonly string[] {
    return this.callsByAccount.get(accountId) ?? [];
  }

  /** Declares a state object that will be published: reads of it wait instead of failing. */
  expectState(bucket: string, key: string): void {
    if (!this.states.has(`${bucket}/${key}`)) this.states.set(`${bucket}/${key}`, undefined);
  }

  /** Publishes a state object (a v4 state file) and answers every read waiting for it. */
  publishState(bucket: string, key: string, state: unknown): void {
    this.states.set(`${bucket}/${key}`, JSON.stringify(state));
    this.release(`${bucket}/${key}`);
  }

  /** Gives up on an expected state object (its producer failed) or withdraws a published one (destroyed): reads get NoSuchKey. */
  settleState(bucket: string, key: string): void {
    this.states.delete(`${bucket}/${key}`);
    this.release(`${bucket}/${key}`);
  }

  /** Every state object, by `bucket/key` (undefined: still expected). */
  get stateObjects(): ReadonlyMap<string, string | undefined> {
    return this.states;
  }

  /** The account whose credentials signed the request (SigV4: `Credential=<access key>/...`). */
  private accountOf(req: http.IncomingMessage): string | undefined {
    const key = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ""))?.[1];
    if (key === undefined || key === ENVIRONMENT_ACCESS_KEY) return this.accountIds[0];
    return this.accountIds.find((id) => key === accessKeyOf(id));
  }

  private record(req: http.IncomingMessage, call: string): void {
    this.calls.push(call);
    const account = this.accountOf(req) ?? "unknown";
    if (!this.callsByAccount.has(account)) this.callsByAccount.set(account, []);
    this.callsByAccount.get(account)!.push(call);
  }

  private release(id: string): void {
    for (const wake of this.waiting.get(id) ?? []) wake();
    this.waiting.delete(id);
  }

  async stop(): Promise<void> {
    for (const id of [...this.waiting.keys()]) this.release(id);
    this.states.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** S3 requests arrive proxied (`GET http://<bucket>.127.0.0.1:<port>/<key>`) or path-style (`/<bucket>/<key>`). */
  private s3Request(req: http.IncomingMessage): { bucket: string; key: string; query: URLSearchParams } | undefined {
    const host = String(req.headers.host ?? "");
    const target = (req.url ?? "/").replace(/^[a-z]+:\/\/[^/]+/, "");
    const [pathname, search = ""] = target.split("?");
    const virtualHost = /^(.+)\.127\.0\.0\.1(:\d+)?$/.exec(host);
    const segments = decodeURIComponent(pathname).replace(/^\//, "");
    if (virtualHost) return { bucket: virtualHost[1], key: segments, query: new URLSearchParams(search) };
    if (req.headers["x-amz-target"] || req.method === "POST") return undefined;
    const [bucket, ...key] = segments.split("/");
    return bucket ? { bucket, key: key.join("/"), query: new URLSearchParams(search) } : undefined;
  }

  private answerS3(req: http.IncomingMessage, s3: { bucket: string; key: string; query: URLSearchParams }, res: http.ServerResponse): void {
    res.setHeader("content-type", "application/xml");
    if (s3.key === "" && s3.query.get("list-type") === "2") {
      // Workspaces live under `env:/`; the stacks use the default workspace only.
      this.record(req, "ListObjectsV2");
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${s3.bucket}</Name>` +
          `<Prefix>${s3.query.get("prefix") ?? ""}</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`,
      );
      return;
    }
    const id = `${s3.bucket}/${s3.key}`;
    if (this.states.has(id) && this.states.get(id) === undefined) {
      // Held until published or settled; a harness that never does either must not hang Terraform forever.
      const timer = setTimeout(() => this.settleState(s3.bucket, s3.key), STATE_WAIT_MS);
      const waiters = this.waiting.get(id) ?? [];
      waiters.push(() => {
        clearTimeout(timer);
        this.answerS3(req, s3, res);
      });
      this.waiting.set(id, waiters);
      return;
    }
    this.record(req, `${req.method === "HEAD" ? "HeadObject" : "GetObject"} ${id}`);
    const body = this.states.get(id);
    if (body === undefined || (req.method !== "GET" && req.method !== "HEAD")) {
      res.statusCode = 404;
      res.end(`<Error><Code>NoSuchKey</Code><Message>no state object ${id}</Message></Error>`);
      return;
    }
    res.setHeader("content-type", "application/json");
    res.setHeader("content-length", Buffer.byteLength(body));
    res.setHeader("etag", `"${id.length.toString(16)}${body.length.toString(16)}"`);
    res.setHeader("last-modified", new Date(0).toUTCString());
    res.end(req.method === "HEAD" ? undefined : body);
  }

  private answer(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const s3 = this.s3Request(req);
    if (s3 && !/(^|&)Action=/.test(body)) {
      this.answerS3(req, s3, res);
      return;
    }
    const target = String(req.headers["x-amz-target"] ?? "");
    if (target === "secretsmanager.GetRandomPassword") {
      this.record(req, "GetRandomPassword");
      const request = JSON.parse(body || "{}") as { PasswordLength?: number };
      const length = request.PasswordLength ?? 32;
      res.setHeader("content-type", "application/x-amz-json-1.1");
      res.end(JSON.stringify({ RandomPassword: "OfflinePlan0".repeat(Math.ceil(length / 12)).slice(0, length) }));
      return;
    }
    const account = this.accountOf(req);
    if (/(^|&)Action=GetCallerIdentity(&|$)/.test(body) && account !== undefined) {
      this.record(req, "GetCallerIdentity");
      res.setHeader("content-type", "text/xml");
      res.end(
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
          `<Arn>arn:aws:iam::${account}:user/offline-plan</Arn><UserId>AIDAOFFLINEPLAN</UserId><Account>${account}</Account>` +
          `</GetCallerIdentityResult><ResponseMetadata><RequestId>offline</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      );
      return;
    }
    this.record(req, `unexpected: ${account === undefined ? "credentials of no account here, " : ""}${target || body.slice(0, 80)}`);
    res.statusCode = 400;
    res.setHeader("content-type", "application/x-amz-json-1.1");
    res.end(JSON.stringify({ __type: "OfflinePlanError", message: `the offline plan does not serve ${target || req.url}` }));
  }
}
