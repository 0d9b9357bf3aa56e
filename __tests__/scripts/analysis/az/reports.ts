/** The single-AZ failure reports of the shared synth, analysed once per test file, and tier lookup. */
import * as path from "path";
import { analyzeAzFailure, type AzReport, type TierResult } from "../../../../scripts/analysis/az-failure";
import { EnvironmentModel } from "../../../../scripts/analysis/model";
import { readSynthesizedEnvironment } from "../../../../scripts/analysis/synthesized";
import { sharedApp } from "../../../support/synth";

export const stacksDir = () => path.join(sharedApp().outdir, "stacks");
export const modelOf = (environment: string, dir = stacksDir()) => new EnvironmentModel(readSynthesizedEnvironment(dir, environment));

const reports = new Map<string, AzReport>();
export function report(environment: string): AzReport {
  let r = reports.get(environment);
  if (!r) {
    r = analyzeAzFailure(modelOf(environment));
    reports.set(environment, r);
  }
  return r;
}

export function tier(r: AzReport, id: string): TierResult {
  const found = r.tiers.find((t) => t.id === id);
  if (!found) throw new Error(`no tier ${id} in the ${r.environment} report; tiers: ${r.tiers.map((t) => t.id).join(", ")}`);
  return found;
}
