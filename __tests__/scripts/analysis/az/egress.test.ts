import * as fs from "fs";
import * as path from "path";
import { analyzeAzFailure } from "../../../../scripts/analysis/az-failure";
import { repoEnvironment, synthesizeApp } from "../../../support/synth";
import { modelOf, report, tier } from "./reports";

describe("NAT / internet egress", () => {
  it("prod: one NAT gateway per AZ, and the interface endpoints that keep AWS APIs off NAT", () => {
    // GIVEN the prod report WHEN the egress reason is read THEN it cites the NAT gateways, their routes and the endpoints
    const r = report("prod");
    expect(tier(r, "egress").why).toContain(
      "3 NAT gateways, one per AZ (eu-west-1a, eu-west-1b, eu-west-1c); each private route table uses the NAT gateway of its own AZ (eu-west-1a ← eu-west-1a; eu-west-1b ← eu-west-1b; eu-west-1c ← eu-west-1c)",
    );
    expect(tier(r, "egress").why).toContain(
      "Interface endpoints (12 services: ec2messages, ecr.api, ecr.dkr, ecs, ecs-agent, ecs-telemetry, logs, monitoring, secretsmanager, ssm, ssmmessages, sts) in eu-west-1a, eu-west-1b, eu-west-1c",
    );
  });

  it("dev: one NAT gateway: losing its AZ cuts egress for the other AZ too", () => {
    // GIVEN dev (one NAT gateway, no interface endpoints) WHEN analysed
    const egress = tier(report("dev"), "egress");
    // THEN egress is an outage when eu-west-1a (the NAT's AZ) fails, and fine when eu-west-1b fails
    expect(egress.verdict).toBe("outage");
    expect(egress.byAz).toEqual({ "eu-west-1a": "outage", "eu-west-1b": "serving" });
    expect(egress.why).toBe(
      "1 NAT gateway (in eu-west-1a; NAT AZ ← private subnet AZs routed to it: eu-west-1a ← eu-west-1a, eu-west-1b): losing eu-west-1a cuts internet egress from the private subnets in eu-west-1b as well. No interface endpoints: ecr.api, ecr.dkr, ecs, ecs-agent, ecs-telemetry, internet, logs, monitoring, secretsmanager (image pulls, secrets, logs, the ECS agent) go through NAT; only s3 has a gateway endpoint.",
    );
  });

  it("a crafted variant flips the NAT verdict: prod with a single NAT gateway becomes an outage, the endpoints still named", () => {
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
