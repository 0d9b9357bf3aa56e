import * as fs from "fs";
import * as path from "path";
import { UNSCOPED_ACTIONS } from "../../modules/iam/grants";
import { asList, policyStatements, type FoundStatement } from "../support/policies";
import { repoEnvironments, sharedApp, type StackJson } from "../support/synth";

/**
 * Walks every IAM statement of every synthesized stack (identity, trust and resource policies) and fails on
 * wildcard actions, iam:PassRole on "*", "*" resources for actions AWS can scope, and secret reads outside the
 * secrets the environment owns.
 */
const app = sharedApp();
const stacks = app.stacks.map((s) => ({ ...s, json: JSON.parse(fs.readFileSync(path.join(s.dir, "cdk.tf.json"), "utf8")) as StackJson }));

const describeStatement = (f: FoundStatement) => `${f.where} ${f.statement.Sid ?? "(no Sid)"}`;
/** The AWS default key policy statement: the account root administers the key and delegates use to IAM. */
const isKeyAdministration = (f: FoundStatement) =>
  f.where.startsWith("aws_kms_key.") &&
  f.statement.Sid === "AccountAdministersKey" &&
  /^arn:aws[a-z-]*:iam::\d{12}:root$/.test(String((f.statement.Principal as { AWS?: string[] })?.AWS?.[0]));

describe.each(stacks.map((s) => [s.id, s] as const))("%s", (_id, stack) => {
  const statements = policyStatements(stack.json);
  const allows = statements.filter((f) => f.statement.Effect === "Allow");

  it("grants no wildcard action (only Deny statements and the key-administration statement may use them)", () => {
    const offenders = allows.filter((f) => !isKeyAdministration(f) && asList(f.statement.Action).some((a) => a.includes("*")));
    expect(offenders.map(describeStatement)).toEqual([]);
  });

  it("never uses NotAction in an Allow statement", () => {
    expect(allows.filter((f) => f.statement.NotAction !== undefined).map(describeStatement)).toEqual([]);
  });

  it("never passes roles on *", () => {
    const offenders = allows.filter(
      (f) => asList(f.statement.Action).includes("iam:PassRole") && asList(f.statement.Resource).some((r) => r === "*" || r.endsWith(":*")),
    );
    expect(offenders.map(describeStatement)).toEqual([]);
  });

  it("uses Resource * only for actions AWS cannot scope to a resource", () => {
    const offenders = allows
      .filter((f) => f.kind === "identity" && asList(f.statement.Resource).includes("*"))
      .flatMap((f) =>
        asList(f.statement.Action)
          .filter((a) => !UNSCOPED_ACTIONS.includes(a))
          .map((a) => `${describeStatement(f)}: ${a}`),
      );
    expect(offenders).toEqual([]);
  });

  it("reads only secrets the environment owns", () => {
    const config = repoEnvironments().find((c) => c.name === stack.environment);
    const owned = (arn: string) =>
      /^\$\{data\.terraform_remote_state\.storage_contract\.outputs\.\w+_secret_arn\}$/.test(arn) ||
      (config !== undefined &&
        arn.startsWith(`arn:aws:secretsmanager:${config.account.region}:${config.account.id}:secret:${config.namePrefix}/${config.name}/`));
    const offenders = allows
      .filter((f) => asList(f.statement.Action).includes("secretsmanager:GetSecretValue"))
      .flatMap((f) =>
        asList(f.statement.Resource)
          .filter((r) => !owned(r))
          .map((r) => `${describeStatement(f)}: ${r}`),
      );
    expect(offenders).toEqual([]);
  });

  it("trusts only named service principals or the GitHub OIDC provider, with a source account or subject condition", () => {
    const offenders = statements
      .filter((f) => f.kind === "trust")
      .filter((f) => {
        const principal = f.statement.Principal as { Service?: string[]; Federated?: string[]; AWS?: unknown };
        if (principal.AWS !== undefined) return true;
        if (principal.Federated) return !f.statement.Condition?.StringEquals?.["token.actions.githubusercontent.com:sub"];
        const services = principal.Service ?? [];
        return services.length === 0 || (!services.includes("ec2.amazonaws.com") && !f.statement.Condition?.StringEquals?.["aws:SourceAccount"]);
      });
    expect(offenders.map(describeStatement)).toEqual([]);
  });
});
