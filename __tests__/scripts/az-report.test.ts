import * as fs from "fs";
import * as path from "path";
import { analyzeAzFailure, renderAzReport, type AzReport, type TierResult } from "../../scripts/analysis/az-failure";
import { EnvironmentModel } from "../../scripts/analysis/model";
import { readSynthesizedEnvironment } from "../../scripts/analysis/synthesized";
import { main, USAGE } from "../../scripts/az-report";
import { repoEnvironment, repoEnvironments, sharedApp, synthesizeApp } from "../support/synth";
import { runTool, toolError } from "../support/cli";

const stacksDir = () => path.join(sharedApp().outdir, "stacks");
const modelOf = (environment: string, dir = stacksDir()) => new EnvironmentModel(readSynthesizedEnvironment(dir, environment));

const reports = new Map<string, AzReport>();
function report(environment: string): AzReport {
  let r = reports.get(environment);
  if (!r) {
    r = analyzeAzFailure(modelOf(environment));
    reports.set(environment, r);
  }
  return r;
}

function tier(r: AzReport, id: string): TierResult {
  const found = r.tiers.find((t) => t.id === id);
  if (!found) throw new Error(`no tier ${id} in the ${r.environment} report; tiers: ${r.tiers.map((t) => t.id).join(", ")}`);
  return found;
}

const run = (argv: string[]) => runTool(main, argv);
const runError = (argv: string[]) => toolError(main, argv);

/** The serving-path tiers of the repository's environments (a new tier must be classified on purpose). */
const SERVING_PATH = [
  "egress",
  "alb",
  "api-server",
  "scheduler",
  "dag-processor",
  "triggerer",
  "worker-default",
  "worker-heavy",
  "rds",
  "redis",
  "efs",
  "ecs-capacity",
  "lambda:queue-depth-publisher",
  "lambda:service-redeployer",
];

describe("the stack model follows references across stacks", () => {
  it("resolves an ECS service's subnets through the network contract to the network stack's subnets and their AZs", () => {
    // GIVEN the prod services stack, whose api-server reads its subnets from the network contract
    const model = modelOf("prod");
    const service = model.resources("aws_ecs_service").find((s) => s.body.name === "airflow-prod-api-server")!;
    const subnets = (service.body.network_configuration as { subnets: unknown }).subnets;
    expect(subnets).toBe("${data.terraform_remote_state.network_contract.outputs.private_subnet_ids}");
    // WHEN the reference is resolved
    const resolved = model.subnets(service.stack, subnets);
    // THEN it names the three private aws_subnet resources of prod-network, one per AZ
    expect(resolved.unresolved).toEqual([]);
    expect(resolved.subnets.map((s) => [s.address.stack, s.address.type, s.az])).toEqual([
      ["prod-network", "aws_subnet", "eu-west-1a"],
      ["prod-network", "aws_subnet", "eu-west-1b"],
      ["prod-network", "aws_subnet", "eu-west-1c"],
    ]);
  });
});

describe("prod survives the loss of any one AZ", () => {
  it("classifies exactly the expected tiers as the serving path", () => {
    // GIVEN / WHEN the prod report THEN its serving-path tiers are the known ones (operator tools are separate)
    const r = report("prod");
    expect(r.availabilityZones).toEqual(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    expect(r.tiers.filter((t) => t.critical).map((t) => t.id)).toEqual(SERVING_PATH);
    expect(r.tiers.filter((t) => !t.critical).map((t) => t.id)).toEqual(["flower", "cadvisor", "bastion"]);
    expect(r.summary).toBe("prod: every serving-path tier (14) keeps serving through the loss of any one of eu-west-1a, eu-west-1b, eu-west-1c.");
  });

  it.each(SERVING_PATH)("%s keeps serving whichever AZ is lost", (id) => {
    // GIVEN the prod report WHEN the tier is looked up THEN it serves through the loss of each of the three AZs
    const t = tier(report("prod"), id);
    expect({ id, verdict: t.verdict, byAz: t.byAz, why: t.why }).toEqual({
      id,
      verdict: "serving",
      byAz: { "eu-west-1a": "serving", "eu-west-1b": "serving", "eu-west-1c": "serving" },
      why: t.why,
    });
  });

  it("explains each verdict from the resources", () => {
    // GIVEN the prod report WHEN the reasons are read THEN they cite the attributes that make each tier survive
    const r = report("prod");
    expect(tier(r, "egress").why).toContain(
      "3 NAT gateways, one per AZ (eu-west-1a, eu-west-1b, eu-west-1c); each private route table uses the NAT gateway of its own AZ (eu-west-1a ← eu-west-1a; eu-west-1b ← eu-west-1b; eu-west-1c ← eu-west-1c)",
    );
    expect(tier(r, "egress").why).toContain(
      "Interface endpoints (12 services: ec2messages, ecr.api, ecr.dkr, ecs, ecs-agent, ecs-telemetry, logs, monitoring, secretsmanager, ssm, ssmmessages, sts) in eu-west-1a, eu-west-1b, eu-west-1c",
    );
    expect(tier(r, "alb").why).toContain("internet-facing ALB with nodes in 3 AZs (eu-west-1a, eu-west-1b, eu-west-1c)");
    for (const id of ["api-server", "scheduler"]) {
      expect(tier(r, id).why).toContain(
        "2 tasks (desired_count 2) spread across AZs (placement spread on attribute:ecs.availability-zone; capacity provider airflow-prod-ec2, in eu-west-1a, eu-west-1b, eu-west-1c)",
      );
    }
    expect(tier(r, "worker-default").why).toContain("2 tasks (autoscaling minimum 2, max 12) spread across AZs");
    expect(tier(r, "worker-heavy").why).toContain("0 tasks (autoscaling minimum 0, max 4): scales from zero on demand");
    expect(tier(r, "rds").why).toContain(
      "postgres db.m7g.large with multi_az = true: a synchronous standby in another AZ of its subnet group (eu-west-1a, eu-west-1b, eu-west-1c)",
    );
    expect(tier(r, "redis").why).toContain(
      "num_cache_clusters = 2, automatic_failover_enabled = true, multi_az_enabled = true, subnet group in eu-west-1a, eu-west-1b, eu-west-1c",
    );
    expect(tier(r, "efs").why).toContain(
      "3 mount targets in eu-west-1a, eu-west-1b, eu-west-1c; tasks that mount it run in eu-west-1a, eu-west-1b, eu-west-1c",
    );
    expect(tier(r, "ecs-capacity").why).toContain(
      "min_size 3, max_size 12, subnets in eu-west-1a, eu-west-1b, eu-west-1c: the ASG balances instances over 3 AZs, so losing one removes up to 1 of 3",
    );
    expect(tier(r, "ecs-capacity").why).toContain("max_size 12 ≥ 3 + 1");
    expect(tier(r, "lambda:queue-depth-publisher").why).toContain(
      "the APIs it calls (ecs, monitoring, secretsmanager, from its role's policies) stay reachable",
    );
  });

  it("reports the operator tools of one instance as degraded (replaced in minutes), not as serving", () => {
    // GIVEN prod's Flower (desired count 1) and bastion (an ASG of one across the private subnets)
    const r = report("prod");
    // WHEN / THEN both recover by replacement in a surviving AZ
    expect(tier(r, "flower")).toMatchObject({ critical: false, verdict: "degraded" });
    expect(tier(r, "flower").why).toContain("1 task (desired_count 1), a single task: losing its AZ stops it until ECS starts a replacement in a surviving AZ");
    expect(tier(r, "bastion")).toMatchObject({ critical: false, verdict: "degraded" });
    expect(tier(r, "bastion").why).toBe(
      "Auto Scaling group of min 1 / max 1 over subnets in eu-west-1a, eu-west-1b, eu-west-1c: losing its AZ loses the instance; the group launches a replacement in a surviving AZ within minutes (Session Manager: ec2messages, ssm, ssmmessages reachable).",
    );
  });
});

describe("dev shows its cost-saving weak points", () => {
  it("one NAT gateway: losing its AZ cuts egress for the other AZ too", () => {
    // GIVEN dev (one NAT gateway, no interface endpoints) WHEN analysed
    const egress = tier(report("dev"), "egress");
    // THEN egress is an outage when eu-west-1a (the NAT's AZ) fails, and fine when eu-west-1b fails
    expect(egress.verdict).toBe("outage");
    expect(egress.byAz).toEqual({ "eu-west-1a": "outage", "eu-west-1b": "serving" });
    expect(egress.why).toBe(
      "1 NAT gateway (in eu-west-1a; NAT AZ ← private subnet AZs routed to it: eu-west-1a ← eu-west-1a, eu-west-1b): losing eu-west-1a cuts internet egress from the private subnets in eu-west-1b as well. No interface endpoints: ecr.api, ecr.dkr, ecs, ecs-agent, ecs-telemetry, internet, logs, monitoring, secretsmanager (image pulls, secrets, logs, the ECS agent) go through NAT; only s3 has a gateway endpoint.",
    );
  });

  it("single-AZ RDS and a single-node Redis are outages", () => {
    // GIVEN dev (multi_az = false, one cache node) WHEN analysed THEN both data stores are outages with the reason
    const r = report("dev");
    expect(tier(r, "rds")).toMatchObject({ verdict: "outage" });
    expect(tier(r, "rds").why).toBe(
      "postgres db.t4g.small with multi_az = false: a single instance in one AZ of eu-west-1a, eu-west-1b; losing that AZ stops the metadata database (every Airflow component) until the AZ returns or an operator restores a snapshot elsewhere.",
    );
    expect(tier(r, "redis")).toMatchObject({ verdict: "outage" });
    expect(tier(r, "redis").why).toBe(
      "num_cache_clusters = 1, automatic_failover_enabled = false, multi_az_enabled = false, subnet group in eu-west-1a, eu-west-1b: a single node (no replica), no automatic failover, Multi-AZ off; losing the primary's AZ stops the Celery broker (queued and in-flight messages lost) until the AZ returns or an operator recreates it.",
    );
  });

  it("a single api-server is degraded when the other AZ fails and an outage when the NAT's AZ fails", () => {
    // GIVEN dev's api-server (desired count 1) behind the single NAT WHEN analysed
    const api = tier(report("dev"), "api-server");
    // THEN losing eu-west-1b only needs a replacement, losing eu-west-1a also blocks the replacement's image pull
    expect(api.byAz).toEqual({ "eu-west-1a": "outage", "eu-west-1b": "degraded" });
    expect(api.why).toContain(
      "but when eu-west-1a fails the replacement cannot start: ecr.api, ecr.dkr, ecs, ecs-agent, ecs-telemetry, logs, secretsmanager are reachable from eu-west-1b only through the NAT gateway in eu-west-1a",
    );
    expect(report("dev").summary).toMatch(/^dev: 11 of 14 serving-path tiers do not keep serving through the loss of one AZ: egress \(outage\), /);
  });
});

describe("a crafted variant flips the NAT verdict", () => {
  it("prod with a single NAT gateway: egress becomes an outage, the endpoints still named", () => {
    // GIVEN prod synthesized with natGateways "single"
    const config = repoEnvironment("prod");
    const single = { ...config, network: { ...config.network, natGateways: "single" as const } };
    const synth = synthesizeApp([single]);
    try {
      // WHEN analysed
      const r = analyzeAzFailure(modelOf("prod", path.join(synth.outdir, "stacks")));
      // THEN the NAT tier flips from serving to outage, because every private route table uses the NAT in eu-west-1a
      const egress = tier(r, "egress");
      expect(tier(report("prod"), "egress").verdict).toBe("serving");
      expect(egress.verdict).toBe("outage");
      expect(egress.byAz).toEqual({ "eu-west-1a": "outage", "eu-west-1b": "serving", "eu-west-1c": "serving" });
      expect(egress.why).toContain(
        "1 NAT gateway (in eu-west-1a; NAT AZ ← private subnet AZs routed to it: eu-west-1a ← eu-west-1a, eu-west-1b, eu-west-1c): losing eu-west-1a cuts internet egress from the private subnets in eu-west-1b, eu-west-1c as well.",
      );
      expect(egress.why).toContain("keep those AWS APIs off NAT; through NAT still: internet.");
      // AND the tiers that do not depend on egress keep their verdicts
      expect(tier(r, "rds").verdict).toBe("serving");
      expect(tier(r, "redis").verdict).toBe("serving");
      expect(tier(r, "alb").verdict).toBe("serving");
    } finally {
      fs.rmSync(synth.outdir, { recursive: true, force: true });
    }
  });
});

describe("npm run az-report", () => {
  it("prints the Markdown table and exits 0", () => {
    // GIVEN the shared synth WHEN the tool runs on prod
    const { code, stdout } = run(["--env", "prod", "--from", sharedApp().outdir]);
    // THEN it exits 0 with the rendered report
    expect(code).toBe(0);
    expect(stdout).toBe(renderAzReport(report("prod")));
    expect(stdout).toContain("| Tier | Verdict | Why |");
    expect(stdout).toContain("| RDS airflow-prod-metadata | serving |");
  });

  it("prints JSON with --json", () => {
    // GIVEN the shared synth WHEN the tool runs with --json THEN the output is the report as JSON
    const { code, stdout } = run(["--env", "dev", "--json", "--from", sharedApp().outdir]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(JSON.parse(JSON.stringify(report("dev"))));
  });

  it("rejects a missing --env and an environment the synth does not hold", () => {
    // GIVEN no --env WHEN run THEN a usage error (exit code 2)
    const usage = runError([]);
    expect(usage.exitCode).toBe(2);
    expect(usage.message).toBe(`--env <environment> is required\n\n${USAGE}`);
    // GIVEN an unknown environment WHEN run against the shared synth THEN the error lists what the synth holds
    const unknown = runError(["--env", "nope", "--from", sharedApp().outdir]);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.message).toBe(
      `${stacksDir()} holds no stacks of environment "nope"; it holds: ${repoEnvironments()
        .map((c) => c.name)
        .sort()
        .join(", ")}`,
    );
  });
});
