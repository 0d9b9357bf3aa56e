/**
 * The price table `npm run cost` uses: approximate AWS on-demand list prices for eu-west-1 (Europe, Ireland), USD.
 *
 * DATE AND SOURCE. Compiled 2026-11-22 from the AWS public on-demand list prices for eu-west-1 (the service pricing
 * pages: EC2 On-Demand, RDS for PostgreSQL, ElastiCache, VPC, ELB, Fargate, Lambda, KMS, Secrets Manager, CloudWatch,
 * EFS, S3, EBS, WAF, Route 53, ECR; equivalently the AWS Price List API) as they stood in 2024-2025, the latest the
 * author could consult. They could NOT be verified live when this file was written (no network access to the price
 * list): treat every figure as an approximate list price, good for comparing environments and spotting what
 * dominates, not for a budget. Check https://aws.amazon.com/pricing/ or the Price List API before relying on a number,
 * and update the figure and `compiled` together.
 *
 * ASSUMPTIONS. 730 hours per month; on-demand prices (no Savings Plans or Reserved Instances); EC2 Spot groups at a
 * flat discount below the on-demand price of their dearest type; no free tier; Linux; x86_64 Fargate; gp3 storage;
 * Fargate Spot at about 70% below on-demand (Spot prices move); the usage
 * figures in `usage` below for things the stacks cannot know. Items not listed in `excluded` are counted from the
 * synthesized stacks (see scripts/analysis/cost-estimate.ts).
 */
export interface PriceTable {
  readonly region: string;
  readonly file: string;
  readonly currency: "USD";
  readonly compiled: string;
  readonly pricesAsOf: string;
  readonly source: string;
  readonly verified: false;
  readonly hoursPerMonth: number;
  readonly assumptions: readonly string[];
  readonly excluded: readonly string[];
  /** EC2 Linux on-demand, per instance-hour. */
  readonly ec2Hourly: Readonly<Record<string, number>>;
  /**
   * EC2 Spot's typical discount below on-demand (0.65 = pay 35%), applied to the dearest type of a Spot group. Spot
   * prices move by type, AZ and hour: a planning figure, not a quote.
   */
  readonly ec2SpotDiscount: number;
  /** RDS for PostgreSQL on-demand Single-AZ, per instance-hour (Multi-AZ instance deployments bill twice). */
  readonly rdsPostgresHourly: Readonly<Record<string, number>>;
  /** ElastiCache (Redis OSS) on-demand, per node-hour. */
  readonly elasticacheHourly: Readonly<Record<string, number>>;
  readonly natGatewayHourly: number;
  /** Public IPv4 addresses (NAT Elastic IPs, internet-facing ALB nodes), per address-hour. */
  readonly publicIpv4Hourly: number;
  /** Interface VPC endpoints, per endpoint per AZ-hour. */
  readonly interfaceEndpointAzHourly: number;
  readonly ebsGp3GbMonth: number;
  /** RDS gp3 storage, Single-AZ, per GB-month (Multi-AZ stores twice). */
  readonly rdsGp3GbMonth: number;
  readonly efsStandardGbMonth: number;
  readonly s3StandardGbMonth: number;
  readonly ecrStorageGbMonth: number;
  readonly cloudwatchLogsIngestionGb: number;
  readonly albHourly: number;
  readonly albLcuHourly: number;
  readonly wafWebAclMonth: number;
  readonly wafRuleMonth: number;
  readonly wafMillionRequests: number;
  readonly fargate: { readonly vcpuHour: number; readonly gbHour: number };
  readonly fargateSpot: { readonly vcpuHour: number; readonly gbHour: number };
  readonly lambdaGbSecond: number;
  readonly lambdaMillionRequests: number;
  readonly kmsKeyMonth: number;
  readonly secretMonth: number;
  readonly alarmStandardMetricMonth: number;
  readonly alarmHighResolutionMetricMonth: number;
  readonly dashboardMonth: number;
  readonly customMetricMonth: number;
  /** CloudWatch custom metrics by volume tier (per metric-month; `upTo` is the last metric of the tier, none for the last). */
  readonly customMetricTiers: readonly { readonly upTo?: number; readonly perMetricMonth: number }[];
  readonly route53HostedZoneMonth: number;
  /** Usage the stacks cannot know: assumed per month. */
  readonly usage: {
    readonly efsGb: number;
    readonly s3GbPerBucket: number;
    readonly ecrGbPerRepository: number;
    readonly logsGbPerLogGroup: number;
    readonly albLcu: number;
    readonly wafMillionRequests: number;
    /** Airflow pools (Admin > Pools; default_pool included): the values of the `pool_name` dimension. */
    readonly airflowPools: number;
    /** Bytes of EMF log event per datapoint (metadata, dimension values, the value; awsemf groups a label set's metrics). */
    readonly emfBytesPerDatapoint: number;
  };
}

export const PRICES_EU_WEST_1: PriceTable = {
  region: "eu-west-1",
  file: "scripts/analysis/prices-eu-west-1.ts",
  currency: "USD",
  compiled: "2026-11-22",
  pricesAsOf: "AWS list prices as published in 2024-2025",
  source: "AWS public pricing pages / Price List API, eu-west-1 on-demand (approximate; not verified live)",
  verified: false,
  hoursPerMonth: 730,
  assumptions: [
    "730 hours per month; on-demand list prices; no free tier; no Savings Plans or Reserved Instances",
    "headline = steady state: Auto Scaling groups at min_size, worker pools at their autoscaling minimum; 'at max' = ASGs at max_size, pools at max count",
    "Fargate Spot at ~70% below Fargate on-demand (Spot prices move); Fargate x86_64 Linux",
    "EC2 Spot groups at ~65% below the on-demand price of their dearest instance type (m5/m6i/m7i Spot in eu-west-1 typically ran 55-75% below on-demand in 2024-2025; not verified live)",
    "hibernation: what stops (ECS container instances and their volumes, Fargate tasks, RDS instance hours) saves its share of the hours the windows cover; NAT gateways, the ALB, ElastiCache, EFS, S3, RDS storage, the bastion and the rest keep billing",
    "Lambda: each scheduled invocation runs for its full timeout (an upper bound); event-driven functions (e.g. secret rotation) assumed negligible",
    "EFS 5 GB Standard; S3 20 GB Standard per bucket; ECR 5 GB per repository; CloudWatch Logs 1 GB ingested per log group per month",
    "ALB 1 LCU on average; WAF 1 million requests per month",
    "CloudWatch alarms: one alarm metric per alarm (per metric of a metric-math alarm); period < 60 s = high resolution",
    "custom metrics: log-metric-filter metrics plus custom-namespace metrics alarms watch; the metrics collector's namespaces and the queue-depth publisher's are counted from what they declare (cost/metrics.ts), tiered from the environment's first metric (an account with other custom metrics may already be in a cheaper tier)",
    "Airflow metrics: 3 Airflow pools (pool_name values); EMF logs 300 bytes per datapoint, one datapoint per series and minute, Airflow series sent by each scheduler, container series by each collector",
    "RDS Performance Insights with 7 days retention is free; longer retention is a paid tier not in this table (the estimate stops with an error)",
  ],
  excluded: [
    "data transfer (internet egress, cross-AZ) and NAT gateway / interface endpoint data processing ($0.048 / $0.01 per GB)",
    "S3, KMS, Secrets Manager, CloudWatch and ECR API requests; CloudWatch Logs storage; X-Ray traces",
    "ECS Container Insights metrics and Cloud Map registrations",
    "RDS backup storage beyond the free allowance, ElastiCache snapshot storage, EFS Elastic throughput charges",
    "SNS, SQS and EventBridge (a few cents at this volume)",
    "Step Functions state transitions and EventBridge Scheduler invocations of hibernation (a few dozen a night: cents)",
    "one-off Fargate tasks (the database migration task)",
  ],
  ec2SpotDiscount: 0.65,
  ec2Hourly: {
    "t4g.nano": 0.0046,
    "t4g.micro": 0.0092,
    "t4g.small": 0.0184,
    "t4g.medium": 0.0368,
    "t3.micro": 0.0114,
    "t3.small": 0.0228,
    "t3.medium": 0.0456,
    "t3.large": 0.0912,
    "m5.large": 0.107,
    "m5.xlarge": 0.214,
    "m6i.large": 0.107,
    "m6i.xlarge": 0.214,
    "m6i.2xlarge": 0.428,
    "m7i.large": 0.1124,
    "m7i.xlarge": 0.2247,
    "m7i.2xlarge": 0.4494,
    "m7i.4xlarge": 0.8988,
    "r6i.large": 0.141,
    "r6i.xlarge": 0.282,
  },
  rdsPostgresHourly: {
    "db.t4g.micro": 0.017,
    "db.t4g.small": 0.034,
    "db.t4g.medium": 0.068,
    "db.t4g.large": 0.136,
    "db.m6g.large": 0.168,
    "db.m6g.xlarge": 0.336,
    "db.m7g.large": 0.178,
    "db.m7g.xlarge": 0.356,
    "db.r7g.large": 0.252,
  },
  elasticacheHourly: {
    "cache.t4g.micro": 0.018,
    "cache.t4g.small": 0.036,
    "cache.t4g.medium": 0.073,
    "cache.m6g.large": 0.166,
    "cache.m7g.large": 0.176,
    "cache.r7g.large": 0.243,
  },
  natGatewayHourly: 0.048,
  publicIpv4Hourly: 0.005,
  interfaceEndpointAzHourly: 0.011,
  ebsGp3GbMonth: 0.088,
  rdsGp3GbMonth: 0.127,
  efsStandardGbMonth: 0.33,
  s3StandardGbMonth: 0.023,
  ecrStorageGbMonth: 0.1,
  cloudwatchLogsIngestionGb: 0.57,
  albHourly: 0.0252,
  albLcuHourly: 0.008,
  wafWebAclMonth: 5,
  wafRuleMonth: 1,
  wafMillionRequests: 0.6,
  fargate: { vcpuHour: 0.04456, gbHour: 0.004865 },
  fargateSpot: { vcpuHour: 0.013368, gbHour: 0.0014595 },
  lambdaGbSecond: 0.0000166667,
  lambdaMillionRequests: 0.2,
  kmsKeyMonth: 1,
  secretMonth: 0.4,
  alarmStandardMetricMonth: 0.1,
  alarmHighResolutionMetricMonth: 0.3,
  dashboardMonth: 3,
  customMetricMonth: 0.3,
  customMetricTiers: [
    { upTo: 10_000, perMetricMonth: 0.3 },
    { upTo: 250_000, perMetricMonth: 0.1 },
    { upTo: 1_000_000, perMetricMonth: 0.05 },
    { perMetricMonth: 0.02 },
  ],
  route53HostedZoneMonth: 0.5,
  usage: {
    efsGb: 5,
    s3GbPerBucket: 20,
    ecrGbPerRepository: 5,
    logsGbPerLogGroup: 1,
    albLcu: 1,
    wafMillionRequests: 1,
    airflowPools: 3,
    emfBytesPerDatapoint: 300,
  },
};

/** Price tables by region. */
export const PRICE_TABLES: Readonly<Record<string, PriceTable>> = { "eu-west-1": PRICES_EU_WEST_1 };
