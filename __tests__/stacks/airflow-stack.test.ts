import { environmentStacks, repoEnvironments, synthJson } from "../support/synth";

describe.each(repoEnvironments().map((c) => [c.name, c] as const))("every stack of %s", (_name, config) => {
  const stacks = Object.values(environmentStacks(config));

  it.each(stacks.map((s) => [s.kind, s] as const))("%s keeps state in S3 under <env>/<stack>.tfstate with encryption and native locking", (kind, stack) => {
    // The backend block is checked exactly: init -backend=false does not read it, so a typo would only fail a real init.
    expect(synthJson(stack).terraform.backend).toEqual({
      s3: { bucket: config.state.bucket, key: `${config.name}/${kind}.tfstate`, region: config.state.region, encrypt: true, use_lockfile: true },
    });
  });

  it.each(stacks.map((s) => [s.kind, s] as const))("%s pins the provider to the environment's account and region with default tags", (kind, stack) => {
    expect(synthJson(stack).provider?.aws).toEqual([
      {
        region: config.account.region,
        allowed_account_ids: [config.account.id],
        default_tags: [{ tags: { ...config.tags, project: config.namePrefix, environment: config.name, stack: kind, "managed-by": "cdktf" } }],
      },
    ]);
  });
});
