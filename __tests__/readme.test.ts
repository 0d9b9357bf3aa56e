import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../config/project-root";

const root = projectRoot();
const documents = ["README.md", "docker/README.md", "terraform-state/README.md", "lambda/queue-depth-publisher/README.md"];
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");

describe("the README", () => {
  it("gives the two set-up commands, and .ci/run runs exactly the test command", () => {
    // GIVEN the README's command block and the CI entry point
    const readme = read("README.md");
    expect(readme).toContain("npm ci && npm run synth");
    expect(readme).toContain("npm ci && npm test");
    // THEN .ci/run runs the same test command
    expect(read(".ci/run").trimEnd().split("\n").pop()).toBe("npm ci && npm test");
  });

  it("documents every npm script a user runs", () => {
    // GIVEN package.json's scripts (lifecycle and internal ones aside)
    const scripts = Object.keys((JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts).filter(
      (s) => !["build", "prepare", "lint", "test:update-snapshots"].includes(s),
    );
    // THEN each appears as `npm run <name>` (or `npm test`)
    const readme = read("README.md");
    expect(scripts.filter((s) => !readme.includes(s === "test" ? "npm test" : `npm run ${s}`))).toEqual([]);
  });
});

describe("the README's Deploying DAGs section", () => {
  const section = () => {
    const readme = read("README.md");
    const start = readme.indexOf("## Deploying DAGs");
    return readme.slice(start, readme.indexOf("\n## ", start + 1));
  };

  it("shows the exact commands of each mode: EFS deploy and rollback, the Git connection secret, the S3 sync", () => {
    const text = section();
    expect(text).toContain("npm run deploy-dags -- --env dev --from ./dags");
    expect(text).toMatch(/npm run deploy-dags -- --env dev --version \S+/);
    expect(text).toContain("aws secretsmanager create-secret --name");
    expect(text).toContain("npm run deploy-dags -- --env test --from ./dags");
    expect(text).toContain("npm run check-dag-queues -- --env");
  });

  it("calls the reusable workflow with inputs it declares", () => {
    // GIVEN the caller example's `with:` keys and the workflow's workflow_call inputs
    const caller = section().split("    with:\n")[1].split("```")[0];
    const used = [...caller.matchAll(/^ {6}([a-z-]+): /gm)].map((m) => m[1]);
    const workflow = read(".github/workflows/dag-delivery.yml");
    const declared = [...workflow.slice(workflow.indexOf("inputs:"), workflow.indexOf("\npermissions:")).matchAll(/^ {6}([a-z-]+):$/gm)].map((m) => m[1]);
    // THEN every input the README passes exists, and the required ones are passed
    expect(used.filter((k) => !declared.includes(k))).toEqual([]);
    expect(used).toEqual(expect.arrayContaining(["environment", "infrastructure-repository"]));
  });
});

describe.each(documents)("%s", (file) => {
  it("links only to files that exist", () => {
    // GIVEN every relative Markdown link of the document
    const links = [...read(file).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
    // THEN each resolves to a file or directory of the repository
    expect(links.filter((l) => !fs.existsSync(path.resolve(root, path.dirname(file), l)))).toEqual([]);
  });

  it("links to its own sections by their GitHub anchors", () => {
    // GIVEN the document's headings, as GitHub turns them into anchors
    const text = read(file);
    const slug = (heading: string) =>
      heading
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, "")
        .replace(/ /g, "-");
    const anchors = new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1])));
    // THEN every in-page link names one of them
    const inPage = [...text.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
    expect(inPage.filter((a) => !anchors.has(a))).toEqual([]);
  });
});
