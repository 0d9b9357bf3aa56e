import { execFileSync, spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import type { ClientConfig } from "pg";
import { suiteSharedDirectory } from "./suite-shared";

/**
 * A throwaway PostgreSQL server for one test file: a cluster in a temporary directory (a copy of the run's template,
 * see createCluster), `pg_ctl start` on 127.0.0.1 and a free port, password (scram-sha-256) authentication over TCP,
 * durability off for speed.
 * PostgreSQL refuses to run as root, so under root the data directory is handed to the `postgres` user and the
 * server tools run through `runuser -u postgres --`. Call `stop()` in afterAll: it stops the server and removes
 * the directory.
 */
export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** The bootstrap superuser and its password. */
  readonly user: string;
  readonly password: string;
  /** PEM of the CA that signed the server certificate, when started with `tls: true`. */
  readonly caPem?: string;
  /** A pg client configuration for the superuser; TLS off unless `ssl` is given. */
  clientConfig(ssl?: ClientConfig["ssl"]): ClientConfig;
  stop(): Promise<void>;
}

export interface StartOptions {
  /**
   * Serve TLS with a certificate for 127.0.0.1 signed by a fresh CA (the server accepts plain and TLS clients,
   * like RDS without `rds.force_ssl`).
   */
  readonly tls?: boolean;
  /**
   * pg_hba.conf lines placed before initdb's own (first match wins), e.g.
   * `hostnossl all tls_only 127.0.0.1/32 reject` to make a role TLS-only like RDS with `rds.force_ssl=1`.
   */
  readonly hba?: readonly string[];
}

function asRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** Runs a PostgreSQL tool as the user allowed to run it; throws with its output when it fails. */
function runTool(tool: "initdb" | "pg_ctl", args: string[]): string {
  const [command, argv] = asRoot() ? ["runuser", ["-u", "postgres", "--", tool, ...args]] : [tool, args];
  const result = spawnSync(command, argv, { encoding: "utf8", env: { ...process.env, LC_ALL: "C" } });
  if (result.error) throw new Error(`${tool} could not start (${result.error.message}); PostgreSQL's server tools must be on PATH`);
  if (result.status !== 0) throw new Error(`${tool} ${args.join(" ")} exited with ${result.status}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** A TCP port nobody listens on at this moment. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const openssl = (dir: string, args: string[]): void => {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
};

/** A self-signed EC CA named `commonName`: `ca.key` and `ca.crt` written into `dir`; returns the certificate's PEM. */
export function writeCertificateAuthority(dir: string, commonName: string): string {
  openssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-days",
    "2",
    "-subj",
    `/CN=${commonName}`,
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
  ]);
  return fs.readFileSync(path.join(dir, "ca.crt"), "utf8");
}

/** A CA and a server certificate for 127.0.0.1 / localhost, written into `dir` (openssl on PATH). */
function writeCertificates(dir: string): string {
  const caPem = writeCertificateAuthority(dir, "test-ca");
  openssl(dir, [
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
  ]);
  fs.writeFileSync(path.join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl(dir, [
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "san.ext",
    "-out",
    "server.crt",
  ]);
  return caPem;
}

/** The suite's run-wide template cluster, in the directory global setup shares with every worker. */
const TEMPLATE = "postgres-template";

/** The user and group the server tools run as under root. */
interface Owner {
  readonly uid: number;
  readonly gid: number;
}

/** `initdb` into `data` (in `base`, which the tools' user owns), with a fresh password for the superuser; returns it. */
function initCluster(base: string, data: string, owner: Owner | undefined): string {
  const password = randomBytes(12).toString("hex");
  const pwfile = path.join(base, "pwfile");
  fs.writeFileSync(pwfile, `${password}\n`);
  if (owner) fs.chownSync(pwfile, owner.uid, owner.gid);
  runTool("initdb", [
    "-D",
    data,
    "-U",
    "postgres",
    `--pwfile=${pwfile}`,
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
    "-E",
    "UTF8",
    "--locale=C",
    "--no-sync",
    "--no-instructions",
  ]);
  fs.rmSync(pwfile);
  return password;
}

/**
 * Creates the cluster of a new server in `data` and returns its superuser's password. `initdb` runs once per test run
 * (about 0.9 s of CPU; four files start servers): the first cluster becomes the run's template, published under the
 * shared directory by a rename so no worker copies a half-written one, and later servers start from a copy of it
 * (`cp -a` keeps the owner and modes PostgreSQL insists on; ~0.05 s). Two first servers racing both run initdb and
 * one rename wins. Outside the suite (no shared directory) every server runs its own initdb.
 */
function createCluster(base: string, data: string, owner: Owner | undefined): string {
  const shared = suiteSharedDirectory();
  const template = shared ? path.join(shared, TEMPLATE) : undefined;
  if (template && fs.existsSync(template)) {
    execFileSync("cp", ["-a", path.join(template, "data"), data]);
    return fs.readFileSync(path.join(template, "password"), "utf8");
  }
  const password = initCluster(base, data, owner);
  if (template) {
    const staging = `${template}-${process.pid}-${randomBytes(4).toString("hex")}`;
    fs.mkdirSync(staging);
    execFileSync("cp", ["-a", data, path.join(staging, "data")]);
    fs.writeFileSync(path.join(staging, "password"), password);
    try {
      fs.renameSync(staging, template);
    } catch {
      fs.rmSync(staging, { recursive: true, force: true }); // another worker published first
    }
  }
  return password;
}

export async function startPostgres(options: StartOptions = {}): Promise<PostgresServer> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "qdp-pg-"));
  const data = path.join(base, "data");
  const sockets = path.join(base, "sockets");
  const logfile = path.join(base, "server.log");
  let started = false;
  const stop = async (): Promise<void> => {
    if (started) {
      started = false;
      runTool("pg_ctl", ["stop", "-D", data, "-m", "fast", "-w", "-t", "30"]);
    }
    fs.rmSync(base, { recursive: true, force: true });
  };
  try {
    fs.mkdirSync(sockets);
    const caPem = options.tls ? writeCertificates(base) : undefined;
    const owner = asRoot()
      ? {
          uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim()),
          gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim()),
        }
      : undefined;
    if (owner)
      for (const entry of [base, sockets, ...(options.tls ? ["server.key", "server.crt"].map((f) => path.join(base, f)) : [])])
        fs.chownSync(entry, owner.uid, owner.gid);
    if (options.tls) fs.chmodSync(path.join(base, "server.key"), 0o600);
    const password = createCluster(base, data, owner);
    const port = await freePort();
    const settings = [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${sockets}'`,
      "fsync = off",
      "synchronous_commit = off",
      "full_page_writes = off",
      "shared_buffers = 16MB",
      "max_connections = 20",
      ...(options.tls ? ["ssl = on", `ssl_cert_file = '${path.join(base, "server.crt")}'`, `ssl_key_file = '${path.join(base, "server.key")}'`] : []),
    ];
    fs.appendFileSync(path.join(data, "postgresql.conf"), `\n${settings.join("\n")}\n`);
    if (options.hba?.length) {
      const hba = path.join(data, "pg_hba.conf");
      fs.writeFileSync(hba, `${options.hba.join("\n")}\n${fs.readFileSync(hba, "utf8")}`);
    }
    try {
      runTool("pg_ctl", ["start", "-D", data, "-l", logfile, "-w", "-t", "30"]);
    } catch (error) {
      const log = fs.existsSync(logfile) ? fs.readFileSync(logfile, "utf8") : "(no server log)";
      throw new Error(`${(error as Error).message}\nserver log:\n${log}`);
    }
    started = true;
    const server: PostgresServer = {
      host: "127.0.0.1",
      port,
      database: "postgres",
      user: "postgres",
      password,
      caPem,
      clientConfig: (ssl = false) => ({ host: "127.0.0.1", port, database: "postgres", user: "postgres", password, ssl }),
      stop,
    };
    return server;
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
