import { SECURITY_GROUP_ROLES } from "../../modules/network/security-groups";
import { INTERFACE_ENDPOINT_SERVICES } from "../../modules/network/interface-endpoints";
import { only, repoEnvironments, resources, snapshotText, stackJson } from "../support/synth";

describe.each(repoEnvironments().map((c) => [c.name, c] as const))("NetworkStack (%s)", (_name, config) => {
  const json = stackJson(config.name, "network");
  const all = (type: string) => Object.values(resources(json, type)) as Record<string, any>[];

  it("matches the reviewed snapshot", () => {
    expect(snapshotText(json)).toMatchSnapshot();
  });

  it("spans the configured AZs with one public and one private subnet each", () => {
    const subnets = all("aws_subnet");
    expect(subnets).toHaveLength(2 * config.network.azCount);
    expect(new Set(subnets.map((s) => s.availability_zone))).toEqual(new Set(config.network.availabilityZones));
  });

  it("creates NAT gateways per the configured mode", () => {
    expect(all("aws_nat_gateway")).toHaveLength(config.network.natGateways === "per-az" ? config.network.azCount : 1);
  });

  it("logs all VPC traffic to a KMS-encrypted log group with the configured retention", () => {
    expect(only(json, "aws_flow_log")).toMatchObject({ traffic_type: "ALL", log_destination_type: "cloud-watch-logs", max_aggregation_interval: 60 });
    expect(only(json, "aws_cloudwatch_log_group")).toMatchObject({
      name: `/${config.namePrefix}/${config.name}/vpc-flow-logs`,
      retention_in_days: config.network.flowLogRetentionDays,
      kms_key_id: expect.stringContaining("aws_kms_key"),
    });
  });

  it("lets the flow-log role write only to its own log group", () => {
    const role = only(json, "aws_iam_role");
    const trust = JSON.parse(role.assume_role_policy as string);
    expect(trust.Statement[0]).toMatchObject({
      Principal: { Service: ["vpc-flow-logs.amazonaws.com"] },
      Condition: { StringEquals: { "aws:SourceAccount": [config.account.id] } },
    });
    const policy = JSON.parse(only(json, "aws_iam_role_policy").policy as string);
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        Resource: [expect.stringMatching(/aws_cloudwatch_log_group\..*\.arn/), expect.stringMatching(/\.arn}:\*$/)],
      }),
    ]);
  });

  it("rotates the logs key and lets CloudWatch Logs use it only for this environment's log groups (and its RDS exports)", () => {
    expect(only(json, "aws_kms_key")).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    const policy = JSON.parse(only(json, "aws_kms_key").policy as string);
    const logs = policy.Statement.find((s: any) => s.Sid === "CloudWatchLogsUseKey");
    expect(logs.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"]).toEqual([
      `arn:aws:logs:${config.account.region}:${config.account.id}:log-group:/${config.namePrefix}/${config.name}/*`,
      `arn:aws:logs:${config.account.region}:${config.account.id}:log-group:/aws/rds/instance/${config.namePrefix}-${config.name}-*`,
    ]);
  });

  it(`creates interface endpoints ${config.network.interfaceEndpoints ? "for every listed service" : "only when enabled"}`, () => {
    const interfaces = all("aws_vpc_endpoint").filter((e) => e.vpc_endpoint_type === "Interface");
    expect(interfaces.map((e) => e.service_name).sort()).toEqual(
      config.network.interfaceEndpoints ? INTERFACE_ENDPOINT_SERVICES.map((s) => `com.amazonaws.${config.account.region}.${s}`).sort() : [],
    );
    expect(interfaces.every((e) => e.private_dns_enabled === true)).toBe(true);
  });

  it("publishes its contract: VPC, subnets, AZs, NAT IPs, logs key and every security group", () => {
    expect(Object.keys(json.output ?? {}).sort()).toEqual(
      [
        "vpc_id",
        "vpc_cidr_block",
        "availability_zones",
        "public_subnet_ids",
        "private_subnet_ids",
        "nat_public_ips",
        "logs_kms_key_arn",
        ...SECURITY_GROUP_ROLES.map((r) => `${r}_security_group_id`),
      ].sort(),
    );
    expect(Object.values(json.output ?? {}).every((o) => o.description && !o.sensitive)).toBe(true);
  });
});
