import * as fs from "fs";
import * as path from "path";
import { AIRFLOW_GID, AIRFLOW_HOME, AIRFLOW_UID, AIRFLOW_VERSION, PYTHON_VERSION } from "../../runtime/airflow-image";
import { BUNDLE_CLASSPATHS, IMAGE_DAG_BUNDLE } from "../../modules/dags/dag-bundles";
import { DOCKER_DIR, pairs, parseDockerfile, pythonEnv, read, runSync } from "./helpers";

/**
 * docker/Dockerfile read statically (no Docker engine on the development machines; CI builds the image): the base
 * image and its pins, how extra packages are installed, the user, the absence of secrets, and that what the
 * Dockerfile copies and points at exists.
 */

const instructions = parseDockerfile(read(path.join(DOCKER_DIR, "Dockerfile")));
const firstFrom = instructions.findIndex((instruction) => instruction.keyword === "FROM");
const globalArgs = Object.fromEntries(
  instructions
    .slice(0, firstFrom)
    .filter((i) => i.keyword === "ARG")
    .flatMap((i) => pairs(i.args)),
);
const stage = instructions.slice(firstFrom + 1);
const runs = stage.filter((instruction) => instruction.keyword === "RUN");
const env = Object.fromEntries(stage.filter((i) => i.keyword === "ENV").flatMap((i) => pairs(i.args))) as Record<string, string>;

function substitute(text: string, values: Record<string, string | undefined>): string {
  return text.replace(/\$\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

describe("base image and version pins", () => {
  it("builds FROM the official image tagged with the two version ARGs, whose defaults are runtime/'s", () => {
    // GIVEN the instructions before and of the only FROM
    expect(instructions.filter((instruction) => instruction.keyword === "FROM").map((instruction) => instruction.args)).toEqual([
      "apache/airflow:${AIRFLOW_VERSION}-python${PYTHON_VERSION}",
    ]);
    // THEN the ARG defaults equal AIRFLOW_VERSION and PYTHON_VERSION of runtime/airflow-image.ts
    expect(globalArgs).toEqual({ AIRFLOW_VERSION, PYTHON_VERSION });
    expect(substitute(instructions[firstFrom].args, globalArgs)).toBe(`apache/airflow:${AIRFLOW_VERSION}-python${PYTHON_VERSION}`);
  });

  it("installs extra packages only with Airflow pinned and Airflow's constraints for the same Airflow and Python", () => {
    // GIVEN every RUN that calls pip
    const pipRuns = runs.filter((run) => /\bpip\b/.test(run.args));
    expect(pipRuns).toHaveLength(1);
    for (const run of pipRuns) {
      // THEN the same call pins apache-airflow to the image's version and uses the constraints of that version ...
      expect(run.args).toMatch(/\bpip install\b/);
      expect(run.args).toContain('"apache-airflow==${AIRFLOW_VERSION}"');
      expect(run.args).toContain(
        '--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-${AIRFLOW_VERSION}/constraints-${python_version}.txt"',
      );
      // ... for the interpreter's major.minor: inside the stage the base image's ENV PYTHON_VERSION (x.y.z) would
      // shadow the build ARG, so the Python part is asked from the interpreter FROM selected with PYTHON_VERSION
      expect(run.args).toContain(`python_version="$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')"`);
      // ... and the resolved file is the one of the contract's versions
      expect(substitute(/--constraint "([^"]+)"/.exec(run.args)![1], { AIRFLOW_VERSION, python_version: PYTHON_VERSION })).toBe(
        `https://raw.githubusercontent.com/apache/airflow/constraints-${AIRFLOW_VERSION}/constraints-${PYTHON_VERSION}.txt`,
      );
    }
    // AND the stage declares AIRFLOW_VERSION (so the pin resolves even if the base image did not define it)
    expect(
      stage
        .filter((i) => i.keyword === "ARG")
        .flatMap((i) => pairs(i.args))
        .map(([name]) => name),
    ).toContain("AIRFLOW_VERSION");
  });

  const requirements = () =>
    read(path.join(DOCKER_DIR, "requirements.txt"))
      .split("\n")
      .map((line) => line.replace(/#.*/, "").trim())
      .filter(Boolean);

  it("lists no Airflow pin of its own in requirements.txt (the Dockerfile pins it)", () => {
    expect(requirements().filter((line) => /^apache-airflow\s*([=<>!~]|$)/i.test(line))).toEqual([]);
  });

  it("carries the providers of every DAG bundle class the stacks can configure, versions left to Airflow's constraints", () => {
    // GIVEN the bundle classes modules/dags renders: git needs apache-airflow-providers-git, S3 the amazon provider
    // THEN requirements.txt names the git provider unpinned (the constraints file pins it); amazon is a default extra
    expect(requirements()).toContain("apache-airflow-providers-git");
    expect(Object.values(BUNDLE_CLASSPATHS).map((c) => c.split(".").slice(0, 3).join("."))).toEqual([
      "airflow.dag_processing.bundles",
      "airflow.providers.git",
      "airflow.providers.amazon",
    ]);
  });
});

describe("user and secrets", () => {
  it("fails the build when the OTLP/HTTP metric exporter Airflow's OpenTelemetry metrics need does not import", () => {
    // GIVEN the RUN instructions WHEN one imports the exporter otel_logger.py uses THEN it follows the pip install
    const check = runs.findIndex((run) => run.args === 'python -c "import opentelemetry.exporter.otlp.proto.http.metric_exporter"');
    expect(check).toBeGreaterThan(runs.findIndex((run) => /\bpip install\b/.test(run.args)));
  });

  it("runs as the airflow user (uid 50000, gid 0), and pip runs as that user too", () => {
    // GIVEN the USER in effect at each instruction (the official image ends as the airflow user)
    let user = `${AIRFLOW_UID}`;
    const pipUsers: string[] = [];
    for (const instruction of stage) {
      if (instruction.keyword === "USER") user = instruction.args;
      if (instruction.keyword === "RUN" && /\bpip\b/.test(instruction.args)) pipUsers.push(user);
    }
    // THEN the image ends as uid 50000 gid 0, and pip never ran as root
    expect(user).toBe(`${AIRFLOW_UID}:${AIRFLOW_GID}`);
    expect(pipUsers).toEqual([`${AIRFLOW_UID}:${AIRFLOW_GID}`]);
  });

  it("bakes in no secret", () => {
    // GIVEN every ARG, ENV and LABEL
    const secretName = /(PASSWORD|SECRET|TOKEN|FERNET|PRIVATE_KEY|_KEY$|BASIC_AUTH|CONN$|CONN_ASYNC$|BROKER_URL|RESULT_BACKEND)/i;
    const declared = instructions.filter((i) => ["ARG", "ENV", "LABEL"].includes(i.keyword)).flatMap((i) => pairs(i.args));
    // THEN no name looks like a secret, and no value embeds credentials in a URL
    expect(declared.filter(([name]) => secretName.test(name)).map(([name]) => name)).toEqual([]);
    expect(declared.filter(([, value]) => /\b[a-z+]+:\/\/[^\s:/@"]*:[^\s@"]+@/.test(value ?? "")).map(([name]) => name)).toEqual([]);
  });
});

describe("what the Dockerfile copies and points at", () => {
  /** [source, destination] for every source of every COPY. */
  const copies = stage
    .filter((i) => i.keyword === "COPY")
    .flatMap((i) => {
      const words = i.args.split(/\s+/).filter((word) => !word.startsWith("--"));
      const destination = words.pop()!;
      return words.map((source) => [source, destination] as const);
    });
  const dockerignore = read(path.join(DOCKER_DIR, ".dockerignore"))
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));

  it("copies sources that exist and that .dockerignore lets into the build context", () => {
    expect(dockerignore[0]).toBe("*");
    const reincluded = dockerignore.filter((line) => line.startsWith("!")).map((line) => line.slice(1));
    for (const [source] of copies) {
      expect(fs.existsSync(path.join(DOCKER_DIR, source))).toBe(true);
      expect({
        source,
        sentToTheBuilder: reincluded.some((allowed) => source === allowed || source.startsWith(allowed.endsWith("/") ? allowed : `${allowed}/`)),
      }).toEqual({ source, sentToTheBuilder: true });
    }
  });

  it("ships an airflow.cfg without options or keys, so the CLI never writes one into the read-only AIRFLOW_HOME", () => {
    // GIVEN the files copied into AIRFLOW_HOME
    const intoHome = copies.filter(([, destination]) => destination === `${AIRFLOW_HOME}/`).map(([source]) => source);
    expect(intoHome).toEqual(["airflow-home/airflow.cfg", "airflow-home/webserver_config.py"]);
    // THEN airflow.cfg holds comments only (every option comes from defaults and environment variables)
    const options = read(path.join(DOCKER_DIR, "airflow-home", "airflow.cfg"))
      .split("\n")
      .filter((line) => line.trim() && !line.trim().startsWith("#"));
    expect(options).toEqual([]);
  });

  it("starts the ECS entrypoint under dumb-init, with no default command", () => {
    // GIVEN where scripts/ lands in the image
    const scripts = copies.find(([source]) => source === "scripts/")![1];
    // THEN ENTRYPOINT runs dumb-init (PID 1, signal forwarding) with the copied entrypoint.sh, in exec form
    expect(JSON.parse(stage.find((i) => i.keyword === "ENTRYPOINT")!.args)).toEqual(["/usr/bin/dumb-init", "--", `${scripts}entrypoint.sh`]);
    expect(JSON.parse(stage.find((i) => i.keyword === "CMD")!.args)).toEqual([]);
    expect(fs.existsSync(path.join(DOCKER_DIR, "scripts", "entrypoint.sh"))).toBe(true);
  });

  it("points Airflow at modules and folders the image contains", () => {
    const source = (module: string) => read(path.join(DOCKER_DIR, "config", ...module.split(".").slice(0, -1)) + ".py");
    // THEN the Celery configuration and hostname callable name objects defined in the copied package
    const celery = env.AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS;
    expect(celery).toBe("airflow_ecs.celery_config.CELERY_CONFIG");
    expect(source(celery)).toMatch(/^CELERY_CONFIG = /m);
    // AND the hostname callable (the value the services stack sets too) imports from the copied config folder
    const callable = env.AIRFLOW__CORE__HOSTNAME_CALLABLE;
    expect(callable).toBe("airflow_local_settings.ecs_task_ip");
    const resolve =
      "import importlib, sys\nmodule, name = sys.argv[1].rsplit('.', 1)\nf = getattr(importlib.import_module(module), name)\nprint(f'{f.__module__}.{f.__name__}')";
    expect(runSync("python3", ["-c", resolve, callable], pythonEnv()).stdout.trim()).toBe("airflow_ecs.hostname.ecs_task_address");
    expect(copies).toContainEqual(["config/", `${AIRFLOW_HOME}/config/`]);
    // AND the default bundle list is the image's own DAGs, where dags/ is copied, exactly as the task definitions list it
    const dagsDestination = copies.find(([from]) => from === "dags/")![1];
    expect(JSON.parse(env.AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST)).toEqual([IMAGE_DAG_BUNDLE]);
    expect(IMAGE_DAG_BUNDLE.kwargs.path).toBe(dagsDestination.replace(/\/$/, ""));
    expect(env.AIRFLOW__CORE__LOAD_EXAMPLES).toBe("False");
  });
});
