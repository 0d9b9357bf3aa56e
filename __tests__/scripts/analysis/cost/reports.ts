/** The cost estimates of the shared synth, computed once per test file, line-item lookup, and a variant with an unpriced type. */
import * as fs from "fs";
import * as path from "path";
import { estimateCost, type CostReport, type LineItem } from "../../../../scripts/analysis/cost-estimate";
import { EnvironmentModel } from "../../../../scripts/analysis/model";
import { readSynthesizedEnvironment, type SynthesizedEnvironment } from "../../../../scripts/analysis/synthesized";
import { sharedApp } from "../../../support/synth";
import { temporaryDirectory } from "../../../support/temp";

const stacksDir = () => path.join(sharedApp().outdir, "stacks");
export const environment = (name: string): SynthesizedEnvironment => readSynthesizedEnvironment(stacksDir(), name);

const reports = new Map<string, CostReport>();
export function report(name: string): CostReport {
  let r = reports.get(name);
  if (!r) {
    r = estimateCost(new EnvironmentModel(environment(name)));
    reports.set(name, r);
  }
  return r;
}

/** The one line item of `stack` whose name starts with `prefix`. */
export function item(r: CostReport, stack: string, prefix: string): LineItem {
  const matches = (r.stacks.find((s) => s.stack === stack)?.items ?? []).filter((i) => i.item.startsWith(prefix));
  if (matches.length !== 1) throw new Error(`expected one "${prefix}" item in ${stack}, found ${matches.length}`);
  return matches[0];
}

/** A copy of prod's synthesized stacks with the container-instance launch template's instance type replaced. */
export function prodWithInstanceType(instanceType: string): { env: SynthesizedEnvironment; templateName: string; dir: string } {
  const env = JSON.parse(JSON.stringify(environment("prod"))) as SynthesizedEnvironment;
  const compute = env.stacks.find((s) => s.id === "prod-compute")!;
  const templates = (compute.json.resource as any).aws_launch_template as Record<string, Record<string, unknown>>;
  const [templateName, template] = Object.entries(templates).find(([, t]) => t.name === "airflow-prod-ec2")!;
  template.instance_type = instanceType;
  const dir = temporaryDirectory("airflow-cost-test-");
  for (const stack of env.stacks) {
    fs.mkdirSync(path.join(dir, "stacks", stack.id), { recursive: true });
    fs.writeFileSync(path.join(dir, "stacks", stack.id, "cdk.tf.json"), JSON.stringify(stack.json));
  }
  return { env, templateName, dir };
}
