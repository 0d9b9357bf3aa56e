import { blocksOf } from "../../../scripts/synth/blocks";

describe("synth output blocks", () => {
  it("addresses every kind of block", () => {
    const blocks = blocksOf({
      "//": { metadata: {} },
      terraform: { backend: { s3: { key: "k" } }, required_providers: { aws: {} } },
      provider: { aws: [{ region: "eu-west-1" }, { alias: "us", region: "us-east-1" }] },
      resource: { aws_vpc: { main: {} } },
      data: { aws_partition: { current: {} } },
      ephemeral: { aws_secretsmanager_random_password: { p: {} } },
      output: { vpc_id: { value: "x" } },
      locals: { a: 1 },
      variable: { v: {} },
      module: { m: {} },
    });
    expect([...blocks.keys()].sort()).toEqual([
      "aws_vpc.main",
      "data.aws_partition.current",
      "ephemeral.aws_secretsmanager_random_password.p",
      "locals.a",
      "module.m",
      "output.vpc_id",
      "provider.aws",
      "provider.aws.us",
      "terraform.backend.s3",
      "terraform.required_providers",
      "variable.v",
    ]);
  });
});
