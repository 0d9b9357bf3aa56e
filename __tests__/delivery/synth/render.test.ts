import { CRAFTED_SUMMARY as markdown, detailsOf } from "./crafted";

describe("synth diff of two crafted synth outputs", () => {
  it("shows attribute-level modifications, backend and provider blocks included", () => {
    expect(detailsOf(markdown, "dev-network")).toEqual([
      "- ➖ removed `aws_flow_log.vpc`",
      "- ➕ added `aws_subnet.private_0`",
      "- ➕ added `output.private_subnet_ids`",
      "- ✏️ modified `output.vpc_id`",
      "  - `description`: `VPC id` → `The VPC id`",
      "- ✏️ modified `provider.aws`",
      "  - `default_tags[0].tags.team`: (added) `data-platform`",
      "- ✏️ modified `terraform.backend.s3`",
      "  - `key`: `dev/network.tfstate` → `dev/network-v2.tfstate`",
    ]);
  });

  it("decodes an IAM policy and diffs its statements by Sid", () => {
    expect(detailsOf(markdown, "dev-iam")).toEqual([
      "- ➕ added `data.aws_partition.current`",
      "- ✏️ modified `aws_iam_role_policy.worker`",
      '  - `policy (json) Statement[Sid=ReadDags]`: (added) `{"Sid":"ReadDags","Effect":"Allow","Action":"elasticfilesystem:ClientMount","Resource":"arn:aws:elasticfilesystem:eu-west-1:111111111111:file-system/fs-1"}`',
      "  - `policy (json) Statement[Sid=WriteLogs].Action`: − `logs:CreateLogStream`",
      "- ✏️ modified `provider.aws`",
      "  - `default_tags[0].tags.team`: (added) `data-platform`",
    ]);
  });

  it("decodes container_definitions and matches containers and variables by name, redacting secrets", () => {
    expect(detailsOf(markdown, "dev-services")).toEqual([
      "- ✏️ modified `aws_db_instance.legacy`",
      "  - `password`: (sensitive value changed)",
      "- ✏️ modified `aws_ecs_task_definition.scheduler`",
      "  - `container_definitions (json) [name=scheduler].environment[name=AIRFLOW_ECS_DB_HOST].value`: `old-db.internal` → `db.internal`",
      "  - `memory`: `1536` → `2048`",
      "- ✏️ modified `provider.aws`",
      "  - `default_tags[0].tags.team`: (added) `data-platform`",
    ]);
    expect(markdown).not.toContain("do-not-print");
  });

  it("renders headline, table and details (snapshot)", () => {
    expect(markdown).toMatchSnapshot();
  });
});
