import { modelOf } from "./az/reports";

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
