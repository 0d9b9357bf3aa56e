import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";
import { RUNTIME_ENV } from "../../runtime/airflow-image";
import { ENTRYPOINT, fakeContainer, officialEntrypointRecord, pythonEnv, removeTempDirs, runAsync, tempDir } from "./helpers";

/**
 * The scale-in protection helper as the worker runs it (`python3 -m airflow_ecs.task_protection`), against a fake
 * ECS agent served by this test on 127.0.0.1: the PUTs it receives are the protection updates a real agent would
 * forward to ECS UpdateTaskProtection.
 */

interface AgentRequest {
  method: string;
  url: string;
  body: unknown;
}

/** A fake ECS agent answering each PUT with the next queued [status, body] (then 200 with a protection record). */
class FakeAgent {
  readonly requests: AgentRequest[] = [];
  private readonly answers: [number, unknown][] = [];
  private readonly waiters: (() => void)[] = [];
  private readonly server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      this.requests.push({ method: request.method ?? "", url: request.url ?? "", body: body ? JSON.parse(body) : undefined });
      const [status, answer] = this.answers.shift() ?? [
        200,
        { protection: { ProtectionEnabled: JSON.parse(body).ProtectionEnabled, TaskArn: "arn:aws:ecs:eu-west-1:111111111111:task/c/1" } },
      ];
      response.writeHead(status, { "Content-Type": "application/json" });
      response.end(JSON.stringify(answer));
      this.waiters.splice(0).forEach((wake) => wake());
    });
  });

  answerNext(status: number, body: unknown): void {
    this.answers.push([status, body]);
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/3f2b9c`;
  }

  /** Resolves once at least `count` requests arrived (or rejects after `ms`). */
  received(count: number, ms = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the fake agent got ${this.requests.length} of ${count} requests`)), ms);
      const check = () => {
        if (this.requests.length >= count) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const STATE = "/task-protection/v1/state";
let agent: FakeAgent;
let agentUri: string;
let stateDir: string;

beforeEach(async () => {
  agent = new FakeAgent();
  agentUri = await agent.start();
  stateDir = tempDir("protection");
});

afterEach(() => agent.stop());
afterAll(removeTempDirs);

function protection(args: string[], extra: Record<string, string> = {}) {
  return runAsync(
    "python3",
    ["-m", "airflow_ecs.task_protection", ...args],
    pythonEnv({
      ECS_AGENT_URI: agentUri,
      [RUNTIME_ENV.taskProtectionMinutes]: "45",
      _AIRFLOW_ECS_TASK_PROTECTION_DIR: stateDir,
      ...extra,
    }),
  );
}

/** A task marker as Celery's task_prerun handler writes it, owned by a live process (this one). */
function markRunningTask(taskId: string): void {
  fs.mkdirSync(path.join(stateDir, "tasks"), { recursive: true });
  fs.writeFileSync(path.join(stateDir, "tasks", `${process.pid}-${taskId}`), "");
}

describe("ECS task scale-in protection against a fake agent", () => {
  it("enables protection with the configured expiry while a task runs", async () => {
    // GIVEN a worker running one task
    markRunningTask("5b1d7c");
    // WHEN the helper syncs
    const run = await protection(["sync"]);
    // THEN the agent got one PUT enabling protection for AIRFLOW_ECS_TASK_PROTECTION_MINUTES
    expect(agent.requests).toEqual([{ method: "PUT", url: `/api/3f2b9c${STATE}`, body: { ProtectionEnabled: true, ExpiresInMinutes: 45 } }]);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("airflow-ecs-task-protection: INFO scale-in protection enabled for 45 minutes (1 running task(s))\n");
  });

  it("disables protection when the worker is idle, once", async () => {
    // GIVEN an idle worker
    // WHEN the loop makes two passes
    const run = await protection(["loop", "--iterations", "2", "--interval", "0"]);
    // THEN protection was released with a single PUT
    expect(agent.requests).toEqual([{ method: "PUT", url: `/api/3f2b9c${STATE}`, body: { ProtectionEnabled: false } }]);
    expect(run.stderr).toBe("airflow-ecs-task-protection: INFO scale-in protection disabled (no running tasks)\n");
  });

  it("logs an agent error and retries on the next pass, without failing", async () => {
    // GIVEN a busy worker and an agent whose first answer is an error
    markRunningTask("5b1d7c");
    agent.answerNext(500, { error: { Code: "ServerException", Message: "ECS is unavailable" } });
    // WHEN the loop makes two passes
    const run = await protection(["loop", "--iterations", "2", "--interval", "0"]);
    // THEN the failure was logged, the second pass retried and succeeded, and the helper exited normally
    expect(agent.requests.map((request) => request.body)).toEqual([
      { ProtectionEnabled: true, ExpiresInMinutes: 45 },
      { ProtectionEnabled: true, ExpiresInMinutes: 45 },
    ]);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(
      "airflow-ecs-task-protection: WARNING scale-in protection: the ECS agent did not apply ProtectionEnabled=true (1 running task(s)): HTTP 500: ServerException: ECS is unavailable; retrying on the next pass\n" +
        "airflow-ecs-task-protection: INFO scale-in protection enabled for 45 minutes (1 running task(s))\n",
    );
  });

  it("reports the agent's refusal (a task outside a service) and an unreachable agent without failing", async () => {
    // GIVEN an agent refusing protection, then no agent at all
    agent.answerNext(200, { failure: { Arn: "arn:aws:ecs:eu-west-1:111111111111:task/c/1", Reason: "TASK_NOT_VALID" } });
    const refused = await protection(["sync"]);
    await agent.stop();
    const unreachableDir = tempDir("protection-unreachable");
    const unreachable = await protection(["sync"], { _AIRFLOW_ECS_TASK_PROTECTION_DIR: unreachableDir });
    agent = new FakeAgent();
    await agent.start();
    // THEN both are logged warnings and exit 0: protection problems never stop a worker
    expect([refused.status, unreachable.status]).toEqual([0, 0]);
    expect(refused.stderr).toBe(
      "airflow-ecs-task-protection: WARNING scale-in protection: the ECS agent did not apply ProtectionEnabled=false (0 running task(s)): failure: TASK_NOT_VALID; retrying on the next pass\n",
    );
    expect(unreachable.stderr).toMatch(
      /^airflow-ecs-task-protection: WARNING scale-in protection: the ECS agent did not apply ProtectionEnabled=false \(0 running task\(s\)\): cannot reach the ECS agent: .*Connection refused.*; retrying on the next pass\n$/,
    );
  });

  it("stays off outside ECS", async () => {
    // GIVEN no ECS_AGENT_URI
    const run = await runAsync("python3", ["-m", "airflow_ecs.task_protection", "loop"], pythonEnv({ _AIRFLOW_ECS_TASK_PROTECTION_DIR: stateDir }));
    // THEN the loop says so and exits at once
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("airflow-ecs-task-protection: INFO ECS_AGENT_URI is not set (not an ECS task): scale-in protection stays off\n");
    expect(agent.requests).toEqual([]);
  });
});

describe("the worker's entrypoint starts the protection loop", () => {
  it("releases protection of the idle new worker, and the loop stops with the worker process", async () => {
    // GIVEN a worker container on ECS (fake official entrypoint and airflow; the real entrypoint and helper)
    const { workDir, binDir, official, airflowLog } = fakeContainer("worker");
    const env: NodeJS.ProcessEnv = {
      ...pythonEnv(),
      PATH: `${binDir}:${process.env.PATH}`,
      AIRFLOW_HOME: path.resolve(__dirname, "..", "..", "docker"),
      _AIRFLOW_ECS_OFFICIAL_ENTRYPOINT: official,
      _AIRFLOW_ECS_TASK_PROTECTION_DIR: stateDir,
      FAKE_AIRFLOW_LOG: airflowLog,
      ECS_AGENT_URI: agentUri,
      [RUNTIME_ENV.component]: "worker",
      [RUNTIME_ENV.taskProtectionMinutes]: "45",
      [RUNTIME_ENV.dbHost]: "db.internal",
      [RUNTIME_ENV.dbName]: "airflow",
      [RUNTIME_ENV.dbUser]: "airflow",
      [RUNTIME_ENV.dbPassword]: "pw",
      [RUNTIME_ENV.redisHost]: "redis.internal",
      [RUNTIME_ENV.redisAuthToken]: "token",
    };
    const stopWorker = path.join(workDir, "stop-worker");
    env.FAKE_ENTRYPOINT_WAIT_FOR = stopWorker;
    // WHEN the worker starts
    const worker = runAsync(ENTRYPOINT, ["celery", "worker", "--queues", "default"], env);
    try {
      // THEN the loop's first pass releases protection (the new worker runs nothing yet)
      await agent.received(1);
      expect(agent.requests[0]).toEqual({ method: "PUT", url: `/api/3f2b9c${STATE}`, body: { ProtectionEnabled: false } });
    } finally {
      // WHEN the worker process exits (also when the expectation above failed: nothing may outlive the test)
      fs.writeFileSync(stopWorker, "");
    }
    const run = await worker;
    expect(run.stderr).toContain("airflow-ecs-entrypoint: scale-in protection loop started\n");
    // THEN the loop, which watches the worker's PID (the entrypoint's, kept across exec), stops too
    const workerPid = officialEntrypointRecord(run.stdout).pid;
    await waitUntil(() => !loopRunning(workerPid), 15_000);
    expect(agent.requests).toHaveLength(1);
  });
});

/** True while a protection loop watching `pid` runs (read from /proc, Linux). */
function loopRunning(pid: number): boolean {
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let commandLine: string;
    try {
      commandLine = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ");
    } catch {
      continue;
    }
    if (commandLine.includes("airflow_ecs.task_protection loop") && commandLine.includes(`--watch-pid ${pid}`)) return true;
  }
  return false;
}

async function waitUntil(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
