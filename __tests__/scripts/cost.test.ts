import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { estimateCost, MissingPriceError, renderCostReport, type CostReport, type LineItem } from "../../scripts/analysis/cost-estimate";
import { EnvironmentModel } from "../../scripts/analysis/model";
import { PRICES_EU_WEST_1 } from "../../scripts/analysis/prices-eu-west-1";
import { readSynthesizedEnvironment, type SynthesizedEnvironment } from "../../scripts/analysis/synthesized";
import { main } from "../../scripts/cost";
import { CliError } from "../../scripts/lib/cli";
import { sharedApp } from "../support/synth";

const stacksDir = () => path.join(sharedApp().outdir, "stacks");
const environment = (name: string): SynthesizedEnvironment => readSynthesizedEnvironment(stacksDir(), name);

const reports = new Map<string, CostReport>();
function report(name: string): CostReport {
  let r = reports.get(name);
  if (!r) {
    r = estimateCost(new EnvironmentModel(environment(name)));
    reports.set(name, r);
  }
  return r;
}

/** The one line item of `stack` whose name starts with `prefix`. */
function item(r: CostReport, stack: string, prefix: string): LineItem {
  const matches = (r.stacks.find((s) => s.stack === stack)?.items ?? []).filter((i) => i.item.startsWith(prefix));
  if (matches.length !== 1) throw new Error(`expected one "${prefix}" item in ${stack}, found ${matches.length}`);
  return matches[0];
}

const temporaryDirs: string[] = [];
afterAll(() => temporaryDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A copy of prod's synthesized stacks with the container-instance launch template's instance type replaced. */
function prodWithInstanceType(instanceType: string): { env: SynthesizedEnvironment; templateName: string; dir: string } {
  const env = JSON.parse(JSON.stringify(environment("prod"))) as SynthesizedEnvironment;
  const compute = env.stacks.find((s) => s.id === "prod-compute")!;
  const templates = (compute.json.resource as any).aws_launch_template as Record<string, Record<string, unknown>>;
  const [templateName, template] = Object.entries(templates).find(([, t]) => t.name === "airflow-prod-ec2")!;
  template.instance_type = instanceType;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "airflow-cost-test-"));
  temporaryDirs.push(dir);
  for (const stack of env.stacks) {
    fs.mkdirSync(path.join(dir, "stacks", stack.id), { recursive: true });
    fs.writeFileSync(path.join(dir, "stacks", stack.id, "cdk.tf.json"), JSON.stringify(stack.json));
  }
  return { env, templateName, dir };
}

describe("the price table", () => {
  it("is dated, sourced and flagged as unverified, with its assumptions", () => {
    // GIVEN / WHEN the eu-west-1 table THEN it says when, where from, and that it is approximate
    expect(PRICES_EU_WEST_1).toMatchObject({
      region: "eu-west-1",
      compiled: "2026-11-22",
      verified: false,
      hoursPerMonth: 730,
      file: "scripts/analysis/prices-eu-west-1.ts",
    });
    expect(PRICES_EU_WEST_1.source).toContain("not verified live");
    expect(PRICES_EU_WEST_1.assumptions.join("\n")).toContain("730 hours per month; on-demand list prices; no free tier");
    expect(PRICES_EU_WEST_1.excluded.join("\n")).toContain("NAT gateway / interface endpoint data processing");
  });
});

describe("the dev profile is cheap", () => {
  it("dev's steady-state total is at most 50% of prod's", () => {
    // GIVEN the estimates of dev and prod from the synthesized stacks
    const dev = report("dev");
    const prod = report("prod");
    // WHEN the totals are compared
    const ratio = dev.total.monthly / prod.total.monthly;
    const top = [...dev.stacks.flatMap((s) => s.items)].sort((a, b) => b.monthly - a.monthly).slice(0, 5);
    const verdict =
      ratio <= 0.5
        ? "dev <= 50% of prod"
        : `dev total $${dev.total.monthly} is ${(ratio * 100).toFixed(1)}% of prod total $${prod.total.monthly} (> 50%); dev's largest items: ${top.map((i) => `${i.item} $${i.monthly}`).join("; ")}`;
    // THEN dev costs at most half of prod (the failure message carries the numbers and what dominates)
    expect(verdict).toBe("dev <= 50% of prod");
  });
});

describe("line items match hand-computed values", () => {
  it("prod-network: NAT gateways, their Elastic IPs and the interface endpoints", () => {
    // GIVEN prod: 3 NAT gateways, 3 Elastic IPs, 9 interface endpoints in 3 subnets each
    const r = report("prod");
    // THEN NAT = 3 × $0.048 × 730 h, IPv4 = 3 × $0.005 × 730 h, endpoints = 36 endpoint-AZs × $0.011 × 730 h
    expect(item(r, "prod-network", "NAT gateways")).toMatchObject({ quantity: 3, monthly: 105.12, basis: "3 × $0.048/h × 730 h" });
    expect(item(r, "prod-network", "public IPv4 addresses")).toMatchObject({ quantity: 3, monthly: 10.95 });
    expect(item(r, "prod-network", "interface VPC endpoints")).toMatchObject({ item: "interface VPC endpoints (12 endpoints)", quantity: 36, monthly: 289.08 });
    expect(item(r, "prod-network", "KMS keys")).toMatchObject({ quantity: 1, monthly: 1 });
    // AND dev's single NAT gateway: 1 × $0.048 × 730 h, and no interface endpoints at all
    expect(item(report("dev"), "dev-network", "NAT gateways")).toMatchObject({ quantity: 1, monthly: 35.04 });
    expect(
      report("dev")
        .stacks.find((s) => s.stack === "dev-network")!
        .items.map((i) => i.item),
    ).not.toContainEqual(expect.stringContaining("interface VPC endpoints"));
  });

  it("prod-compute: container instances at min_size (headline) and max_size, with their root volumes", () => {
    // GIVEN the ASG airflow-prod-ec2 (m7i.xlarge, min 3, max 12, 60 GB gp3) and the bastion (t4g.nano, 8 GB)
    const r = report("prod");
    // THEN 3 × $0.2247 × 730 = $492.09 (12 × = $1,968.37); 3 × 60 GB × $0.088 = $15.84; bastion 1 × $0.0046 × 730 = $3.36
    expect(item(r, "prod-compute", "EC2 m7i.xlarge")).toMatchObject({ quantity: 3, monthly: 492.09, monthlyAtMax: 1968.37 });
    expect(item(r, "prod-compute", "EBS gp3 (ASG airflow-prod-ec2")).toMatchObject({ quantity: 180, monthly: 15.84, monthlyAtMax: 63.36 });
    expect(item(r, "prod-compute", "EC2 t4g.nano")).toMatchObject({ quantity: 1, monthly: 3.36, monthlyAtMax: 3.36 });
  });

  it("prod-storage: Multi-AZ RDS twice, its storage twice, two cache nodes", () => {
    // GIVEN db.m7g.large Multi-AZ with 100 GB (autoscaling to 500 GB) and 2 × cache.m7g.large
    const r = report("prod");
    // THEN RDS = 2 × $0.178 × 730 = $259.88; storage = 100 × 2 × $0.127 = $25.40 (500 GB: $127); Redis = 2 × $0.176 × 730 = $256.96
    expect(item(r, "prod-storage", "RDS PostgreSQL db.m7g.large")).toMatchObject({ quantity: 2, monthly: 259.88 });
    expect(item(r, "prod-storage", "RDS storage")).toMatchObject({ quantity: 200, monthly: 25.4, monthlyAtMax: 127 });
    expect(item(r, "prod-storage", "ElastiCache cache.m7g.large × 2")).toMatchObject({ quantity: 2, monthly: 256.96 });
    // AND 7 secrets × $0.40 plus the RDS-managed master secret
    expect(item(r, "prod-storage", "Secrets Manager secrets")).toMatchObject({ quantity: 7, monthly: 2.8 });
    expect(item(r, "prod-storage", "RDS-managed master secret")).toMatchObject({ quantity: 1, monthly: 0.4 });
  });

  it("services: the publisher Lambda, Fargate Spot workers at their minimum, alarms by resolution", () => {
    // GIVEN the publisher (every minute, 55 s timeout, 256 MB) and dev's Fargate Spot pools (1 vCPU/2 GB min 1 max 4; 2 vCPU/8 GB min 0 max 2)
    const prod = report("prod");
    const dev = report("dev");
    // THEN Lambda = 43,800 runs × 55 s × 0.25 GB = 602,250 GB-s × $0.0000166667 + 0.0438M requests × $0.20 = $10.05
    expect(item(prod, "prod-services", "Lambda airflow-prod-queue-depth-publisher")).toMatchObject({ quantity: 43800, monthly: 10.05 });
    expect(item(prod, "prod-services", "Lambda airflow-prod-service-redeployer")).toMatchObject({ monthly: 0 });
    // AND worker-default = 1 × (1 × $0.013368 + 2 × $0.0014595) × 730 = $11.89 (4 × = $47.56); worker-heavy at 0 = $0 (2 × = $56.08)
    expect(item(dev, "dev-services", "Fargate Spot worker-default")).toMatchObject({ quantity: 1, monthly: 11.89, monthlyAtMax: 47.56 });
    expect(item(dev, "dev-services", "Fargate Spot worker-heavy")).toMatchObject({ quantity: 0, monthly: 0, monthlyAtMax: 56.08 });
    // AND the two 10-second scale-out alarms are high resolution (2 × $0.30), the other 45 standard (45 × $0.10)
    expect(item(prod, "prod-services", "CloudWatch alarms, high resolution")).toMatchObject({ quantity: 2, monthly: 0.6 });
    expect(item(prod, "prod-services", "CloudWatch alarms, standard resolution")).toMatchObject({ quantity: 45, monthly: 4.5 });
    // AND prod's WAF: $5 + 3 rules × $1 + 1M requests × $0.60
    expect(item(prod, "prod-services", "WAF web ACL")).toMatchObject({ monthly: 8.6 });
  });

  it("adds up: stack totals are the sums of their items, the total the sum of the stacks, the bootstrap shown apart", () => {
    // GIVEN / WHEN the prod report THEN every total is the rounded sum of its parts
    const r = report("prod");
    const cents = (n: number) => Math.round(n * 100);
    for (const s of r.stacks) expect(cents(s.monthly)).toBe(s.items.reduce((a, i) => a + cents(i.monthly), 0));
    expect(cents(r.total.monthly)).toBe(r.stacks.reduce((a, s) => a + cents(s.monthly), 0));
    expect(r.stacks.map((s) => s.stack)).toEqual(["prod-compute", "prod-iam", "prod-network", "prod-services", "prod-storage"]);
    expect(r.shared.map((s) => [s.stack, s.monthly])).toEqual([["bootstrap-airflow-tfstate-333333333333", 1.92]]);
  });
});

describe("errors", () => {
  it("an instance type missing from the price table is an error naming it and the table file", () => {
    // GIVEN prod with an instance type the table does not know
    const { env, templateName } = prodWithInstanceType("m9z.large");
    // WHEN estimated THEN it fails with the type, the resource and the file to edit
    const estimate = () => estimateCost(new EnvironmentModel(env));
    expect(estimate).toThrow(MissingPriceError);
    expect(estimate).toThrow(
      `unknown EC2 instance type "m9z.large" (aws_launch_template.${templateName} in prod-compute): no eu-west-1 price in scripts/analysis/prices-eu-west-1.ts; add its on-demand hourly list price to ec2Hourly there`,
    );
  });

  it("the CLI reports it as an error (exit code 1), not a silent zero", () => {
    // GIVEN a synth directory holding that variant WHEN the cost tool reads it THEN a CliError with the message
    const { dir, templateName } = prodWithInstanceType("m9z.large");
    let error: unknown;
    try {
      main(["--env", "prod", "--from", dir], { stdout: () => undefined, stderr: () => undefined });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(1);
    expect((error as CliError).message).toBe(
      `unknown EC2 instance type "m9z.large" (aws_launch_template.${templateName} in prod-compute): no eu-west-1 price in scripts/analysis/prices-eu-west-1.ts; add its on-demand hourly list price to ec2Hourly there`,
    );
  });

  it("a region without a price table is an error", () => {
    // GIVEN dev's stacks with their provider moved to us-east-1
    const env = JSON.parse(JSON.stringify(environment("dev"))) as SynthesizedEnvironment;
    for (const stack of env.stacks) for (const p of (stack.json.provider as any).aws) p.region = "us-east-1";
    // WHEN estimated THEN the error names the region and the priced regions
    expect(() => estimateCost(new EnvironmentModel(env))).toThrow(
      "no price table for region us-east-1 of environment dev; priced regions: eu-west-1 (scripts/analysis/prices-eu-west-1.ts)",
    );
  });
});

describe("npm run cost", () => {
  it("prints per-stack and total Markdown, or JSON with --json, and exits 0", () => {
    // GIVEN the shared synth WHEN the tool runs on dev, as Markdown and as JSON
    let markdown = "";
    let json = "";
    expect(main(["--env", "dev", "--from", sharedApp().outdir], { stdout: (t) => (markdown += t), stderr: () => undefined })).toBe(0);
    expect(main(["--env", "dev", "--json", "--from", sharedApp().outdir], { stdout: (t) => (json += t), stderr: () => undefined })).toBe(0);
    // THEN the Markdown has the totals table and every stack's items; the JSON is the report
    expect(markdown).toBe(renderCostReport(report("dev")));
    expect(markdown).toContain("| **dev total** | **$251.01** |");
    expect(markdown).toContain("## dev-network");
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(report("dev"))));
  });
});
