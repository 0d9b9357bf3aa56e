import { STACK_KINDS } from "../../stacks/environment";
import { repoEnvironments, stackJson } from "../support/synth";

describe.each(repoEnvironments().map((c) => [c.name, c] as const))("every stack of %s", (_name, config) => {
  const stacks = STACK_KINDS.map((kind) => ({ kind, json: stackJson(config.name, kind) }));

  it.each(stacks.map((s) => [s.kind, s.json] as const))("%s keeps state in S3 under <env>/<stack>.tfstate with encryption and native locking", (kind, json) => {
    // The backend block is checked exactly: init -backend=false does not read it, so a typo would only fail a real init.
    expect(json.terraform.backend).toEqual({
      s3: { bucket: config.state.bucket, key: `${config.name}/${kind}.tfstate`, region: config.state.region, encrypt: true, use_lockfile: true },
    });
  });

  it.each(stacks.map((s) => [s.kind, s.json] as const))("%s pins the provider to the environment's account and region with default tags", (kind, json) => {
    expect(json.provider?.aws).toEqual([
      {
        region: config.account.region,
        allowed_account_ids: [config.account.id],
        default_tags: [{ tags: { ...config.tags, project: config.namePrefix, environment: config.name, stack: kind, "managed-by": "cdktf" } }],
      },
    ]);
  });
});
