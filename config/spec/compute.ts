/** The ECS cluster's EC2 capacity and the bastion host. */
import { instanceType } from "./common";
import { bool, int, list, obj } from "./language";

export const compute = obj(
  {
    instanceType: instanceType("m7i.large", {
      doc: "ECS container instance type, e.g. `m7i.large` (x86_64; the Airflow image is built for linux/amd64).",
    }),
    minInstances: int(0, 100, { doc: "Lower bound of the container instance Auto Scaling group." }),
    maxInstances: int(1, 100, { doc: "Upper bound of the container instance Auto Scaling group." }),
    targetCapacityPercent: int(1, 100, { default: 90, doc: "Capacity provider managed-scaling target (100 = pack hosts fully)." }),
    rootVolumeGb: int(30, 1000, { default: 40, doc: "Root EBS volume size in GiB (>= 30 for the ECS-optimized AMI)." }),
    containerStopTimeoutSeconds: int(30, 3600, {
      default: 900,
      doc: "Seconds the ECS agent waits between SIGTERM and SIGKILL for containers that set no stop timeout: the warm-shutdown budget of EC2 worker pools (Fargate caps it at 120 s).",
    }),
    awsvpcTrunking: bool({
      default: false,
      doc: "Manage the account-wide ECS `awsvpcTrunking` default here, so container instances get many more task ENIs (an m7i.large goes from 2 awsvpc tasks to 10). One environment per account may manage it.",
    }),
    spot: obj(
      {
        instanceTypes: list(instanceType("m7i.xlarge", {}), 1, 20, {
          doc: "Instance types the Spot group may launch, all of one size (same vCPUs and memory) so every host takes the same tasks, e.g. `m7i.xlarge`, `m6i.xlarge`, `m5.xlarge`: more types, more Spot pools to draw from.",
        }),
        minInstances: int(0, 100, { default: 0, doc: "Lower bound of the Spot Auto Scaling group (0 = no Spot host while no `ec2-spot` pool has work)." }),
        maxInstances: int(1, 100, { doc: "Upper bound of the Spot Auto Scaling group." }),
      },
      {
        optional: true,
        doc: 'A second group of container instances bought as EC2 Spot (price-capacity-optimized, capacity rebalancing) for the worker pools with `capacity` `ec2-spot`; absent: no Spot group. See README "EC2 Spot worker pools" for which pools should not use it.',
      },
    ),
    bastion: obj(
      {
        enabled: bool({ doc: "Run an SSM-only bastion (no inbound rule, no public IP) for Session Manager shells and port forwarding." }),
        instanceType: instanceType("t4g.nano", { default: "t4g.nano", doc: "Bastion instance type." }),
      },
      { default: { enabled: false }, doc: "The bastion host." },
    ),
  },
  { doc: "The ECS cluster's EC2 container instances." },
);
