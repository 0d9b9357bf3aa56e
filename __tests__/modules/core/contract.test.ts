import { Fn, Testing, TerraformStack, Token } from "cdktf";
import { defineContract, output, publishContract, readContract, type ContractProducer, type StateLocation } from "../../../modules/core/contract";

const sample = defineContract("network", {
  vpc_id: output.string("VPC id"),
  private_subnet_ids: output.list("subnets"),
  max_size: output.number("size"),
  role_by_pool: output.map("roles"),
});

class Producer extends TerraformStack implements ContractProducer<typeof sample.outputs> {
  readonly contract = sample;
  readonly stateLocation: StateLocation = { bucket: "state", key: "dev/network.tfstate", region: "eu-west-1" };
}

describe("stack contracts", () => {
  it("publishes every output under its stable snake_case name with its description", () => {
    // GIVEN a producer WHEN it publishes its contract THEN each output keeps its name (no construct-path hash)
    const app = Testing.app();
    const producer = new Producer(app, "producer");
    publishContract(producer, sample, { vpc_id: "vpc-abc", private_subnet_ids: ["a", "b"], max_size: 4, role_by_pool: { heavy: "arn:role" } });
    const json = JSON.parse(Testing.synth(producer));
    expect(json.output).toEqual({
      vpc_id: { value: "vpc-abc", description: "VPC id" },
      private_subnet_ids: { value: ["a", "b"], description: "subnets" },
      max_size: { value: 4, description: "size" },
      role_by_pool: { value: { heavy: "arn:role" }, description: "roles" },
    });
  });

  it("refuses to publish a contract with a missing value", () => {
    const producer = new Producer(Testing.app(), "producer");
    expect(() => publishContract(producer, sample, { vpc_id: "vpc-abc" } as never)).toThrow(
      'producer: contract network: no value for output "private_subnet_ids"',
    );
  });

  it("reads a producer's outputs through one S3 remote state and records the dependency", () => {
    // GIVEN a producer and a consumer WHEN the consumer reads the contract and uses two outputs
    const app = Testing.app();
    const producer = new Producer(app, "producer");
    const consumer = new TerraformStack(app, "consumer");
    const values = readContract(consumer, producer);
    consumer.addOverride("locals.uses", {
      vpc: values.vpc_id,
      subnets: values.private_subnet_ids,
      size: values.max_size,
      roles: values.role_by_pool,
      heavy: Token.asString(Fn.lookup(values.role_by_pool, "heavy")),
      spot: Token.asString(Fn.lookup(values.role_by_pool, "ml-spot")),
    });
    const json = JSON.parse(Testing.synth(consumer));
    // THEN one terraform_remote_state points at the producer's state object, values are typed references
    expect(json.data.terraform_remote_state).toEqual({
      network_contract: { backend: "s3", config: { bucket: "state", key: "dev/network.tfstate", region: "eu-west-1" } },
    });
    expect(json.locals.uses).toEqual({
      vpc: "${data.terraform_remote_state.network_contract.outputs.vpc_id}",
      subnets: "${data.terraform_remote_state.network_contract.outputs.private_subnet_ids}",
      size: "${data.terraform_remote_state.network_contract.outputs.max_size}",
      roles: "${data.terraform_remote_state.network_contract.outputs.role_by_pool}",
      // A map entry: Terraform fails the plan when the producer's state has no such key.
      heavy: "${data.terraform_remote_state.network_contract.outputs.role_by_pool.heavy}",
      spot: '${data.terraform_remote_state.network_contract.outputs.role_by_pool["ml-spot"]}',
    });
    expect(consumer.dependencies).toEqual([producer]);
  });

  it("rejects output names that are not snake_case", () => {
    expect(() => defineContract("network", { VpcId: output.string("x") })).toThrow('contract network: output "VpcId" is not snake_case');
  });
});
